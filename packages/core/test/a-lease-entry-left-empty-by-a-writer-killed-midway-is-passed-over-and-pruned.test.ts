import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, workerDirectory } from "./fixtures/registry-files.js";

// A lease entry is created, then written (one exclusive create, one write). A reader that finds it still
// empty takes the generation before it; one left empty by a writer killed in between holds nothing, and
// prune clears it once that writer is gone (a live writer's is left alone: it is about to be written).
test("a lease entry left empty by a writer killed midway is passed over, and pruned once its writer is gone", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const dir = workerDirectory(path, "docs");
  const me = processIdentityOf(process.pid);
  await registry.hold({ workerId: "docs", id: "w1" }, { ...me, leases: 1, lastUsedAt: Date.now() });
  const gone = 2 ** 22 - 3; // above pid_max's default: no process has it
  const deadEmpty = join(dir, `${gone}+linux%3Ax%3A1+w1.1.holder`);
  writeFileSync(deadEmpty, "", { mode: 0o600 });
  const [mine] = (await registry.lookup("docs")).records;
  // This process's own entry, with a newer empty generation: the written one still counts.
  const ownEmpty = join(
    dir,
    `${(await import("node:fs"))
      .readdirSync(dir)
      .find((name) => name.startsWith(`${process.pid}+`))
      ?.replace(/\.\d+\.holder$/, "")}.99.holder`,
  );
  writeFileSync(ownEmpty, "", { mode: 0o600 });
  const read = await registry.lookup("docs");
  expect(read.records[0]?.holders).toEqual(mine?.holders);
  expect(read.records[0]?.holders).toEqual([expect.objectContaining({ pid: process.pid, leases: 1 })]);
  expect(read.unreadable).toEqual([]);

  await registry.prune();
  expect({ deadEmpty: existsSync(deadEmpty), ownEmpty: existsSync(ownEmpty) }).toEqual({
    deadEmpty: false,
    ownEmpty: true,
  });
});
