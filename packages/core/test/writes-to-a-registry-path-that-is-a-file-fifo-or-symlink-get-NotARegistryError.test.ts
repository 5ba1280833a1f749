import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry, isNotARegistryError } from "@modelpool/core";
import { tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { makeFifo, record, snapshotTree } from "./fixtures/registry-files.js";

// Reads of a registry path that is not a directory say NotARegistryError; writes must say it too (not a
// plain EEXIST Error), and leave what is there as it is.
test.each(["a regular file", "a FIFO", "a symlink to a file"])(
  "put and acquireClaim on a registry path that is %s throw NotARegistryError and change nothing",
  async (kind) => {
    const dir = await tempDir();
    const path = join(dir, "registry");
    if (kind === "a regular file") writeFileSync(path, "not a registry\n", { mode: 0o600 });
    else if (kind === "a FIFO") makeFifo(path);
    else {
      writeFileSync(join(dir, "target"), "x\n", { mode: 0o600 });
      symlinkSync(join(dir, "target"), path);
    }
    const before = snapshotTree(dir);
    const registry = new DeviceRegistry({ path, legacySources: false });
    const put = await registry.put(record({ id: "w1", workerId: "docs" })).catch((error: unknown) => error);
    const claim = await registry
      .acquireClaim({ key: "k", workerId: "docs", owner: { pid: process.pid, host: registry.hostId }, ttlMs: 1_000 })
      .catch((error: unknown) => error);
    expect({ put: isNotARegistryError(put), claim: isNotARegistryError(claim) }).toEqual({ put: true, claim: true });
    expect(snapshotTree(dir)).toEqual(before);
  },
);
