import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, workerDirectory } from "./fixtures/registry-files.js";

// An update announcement counts only while its owner is the live holder of the record's lock. One that
// names a live process (this one) with an expiry an hour away, but whose owner holds no lock — forged,
// or left by an updater whose removal failed — holds no lease off; one that does not read as an
// announcement holds nothing off either, and both are shown by `scan` (hence `modelpool ls`).
test("a forged or stale announcement never holds a lease off and is reported", { timeout: 30_000 }, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false, lockTimeoutMs: 2_000 });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const dir = workerDirectory(path, "docs");
  const self = processIdentityOf(process.pid);
  writeFileSync(
    join(dir, `w1.${process.pid}-1-1.updating`),
    `${JSON.stringify({ pid: process.pid, start: self.start, expiresAt: Date.now() + 3_600_000 })}\n`,
    { mode: 0o600 },
  );
  writeFileSync(join(dir, `w1.${process.pid}-1-2.updating`), "{ not json", { mode: 0o600 });

  const seen = await registry.hold({ workerId: "docs", id: "w1" }, { ...self, leases: 1, lastUsedAt: Date.now() });
  expect(seen?.status).toBe("ready");

  const scan = await registry.scan();
  const reported = scan.unreadable.map((entry) => entry.location);
  expect(reported).toContain(join(dir, `w1.${process.pid}-1-2.updating`));
  await registry.hold({ workerId: "docs", id: "w1" }, { ...self, leases: 0, lastUsedAt: Date.now() });
});
