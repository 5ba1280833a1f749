import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureDecisions } from "./decisions.js";

const dir = await mkdtemp(join(tmpdir(), "perf-bench-"));
try {
  const rows = await measureDecisions(
    dir,
    (process.argv[2] ?? "10").split(",").map(Number),
    Number(process.argv[3] ?? 0.2),
  );
  console.log(JSON.stringify(rows, null, 1));
} finally {
  await rm(dir, { recursive: true, force: true });
}
