import { readdirSync, unlinkSync } from "node:fs";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { runNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, recordFile, workerDirectory } from "./fixtures/registry-files.js";

test("prune clears the lease entries of processes that are gone and of records that are gone, and keeps live ones", {
  timeout: 30_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  await registry.put(liveRecord({ id: "w2", workerId: "docs" }));
  // A process that held both and exited without letting go.
  const { stdout } = await runNodeScript(new URL("./fixtures/hold-and-exit.ts", import.meta.url), [
    path,
    "docs/w1",
    "docs/w2",
  ]);
  const gone = (JSON.parse(stdout) as { pid: number }).pid;
  // This process holds w1 too.
  const me = processIdentityOf(process.pid);
  await registry.hold({ workerId: "docs", id: "w1" }, { ...me, pool: "process", leases: 1, lastUsedAt: Date.now() });
  // w2's record vanishes without its entries (what a holder killed between writing its entry and
  // checking the record leaves behind).
  unlinkSync(recordFile(path, "docs", "w2"));
  expect(readdirSync(workerDirectory(path, "docs")).filter((name) => name.endsWith(".holder"))).toHaveLength(3);
  const [before] = (await registry.lookup("docs")).records;
  expect(before?.holders?.map((holder) => holder.pid).sort()).toEqual([gone, me.pid].sort());

  await registry.prune();

  expect(readdirSync(workerDirectory(path, "docs")).filter((name) => name.endsWith(".holder"))).toHaveLength(1);
  const [after] = (await registry.lookup("docs")).records;
  expect(after?.holders).toEqual([expect.objectContaining({ pid: me.pid, leases: 1 })]);
});
