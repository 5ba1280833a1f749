import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureAllocation, measureNewProcess, measureSyscalls } from "./new-process.js";

const dir = await mkdtemp(join(tmpdir(), "perf-bench-"));
try {
  const what = process.argv[2];
  if (what === "np") console.log(JSON.stringify(await measureNewProcess(dir, [10], 3), null, 1));
  if (what === "strace") console.log(JSON.stringify(await measureSyscalls(dir), null, 1));
  if (what === "alloc")
    console.log(JSON.stringify(await measureAllocation(dir, Number(process.argv[3] ?? 2000)), null, 1));
} finally {
  await rm(dir, { recursive: true, force: true });
}
