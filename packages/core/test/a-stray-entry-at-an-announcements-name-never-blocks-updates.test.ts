import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, workerDirectory } from "./fixtures/registry-files.js";

// A directory where a record's announcement goes (`<id>.updating`: not something modelpool writes)
// makes the announcement's rename fail with EISDIR: every update of that record — every stop, every
// drain — fails, and prune keeps the entry (unreadable announcements are "kept for a person").
test("a stray directory at an announcement's name never blocks updates of the record", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  mkdirSync(join(workerDirectory(path, "docs"), "w1.updating"));
  await registry.prune();
  const after = await registry.update({ workerId: "docs", id: "w1" }, (current) => ({ ...current, draining: true }));
  expect(after?.draining).toBe(true);
});
