import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { record } from "./fixtures/registry-files.js";

const hashed = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 40);
const self = processIdentityOf(process.pid);

/** Entries a crash, a person or another program may leave among the numbered files of a claim or lock. */
const STRAY: Record<string, (dir: string) => void> = {
  "a directory named like the next number (5)": (dir) => mkdirSync(join(dir, "5")),
  "a directory named like a released number (5.released)": (dir) => mkdirSync(join(dir, "5.released")),
  "a FIFO named like the next number (5)": (dir) => execFileSync("mkfifo", ["-m", "600", join(dir, "5")]),
  "a released file of garbage (5.released)": (dir) =>
    writeFileSync(join(dir, "5.released"), "not json", { mode: 0o600 }),
  "a holder file of garbage (5)": (dir) => writeFileSync(join(dir, "5"), '{"token":', { mode: 0o600 }),
};

test.each(Object.keys(STRAY))(
  "with %s in a record's lock directory, updates of that record still work, one after another",
  async (name) => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path, lockTimeoutMs: 2_000 });
    await registry.put({ ...record({ id: "a", workerId: "docs" }), count: 0 });
    const lockDir = join(path, "locks", hashed("record\u0000docs\u0000a"));
    STRAY[name]?.(lockDir);
    const increment = () =>
      registry.update({ workerId: "docs", id: "a" }, (current) => ({
        ...current,
        count: (current.count as number) + 1,
      }));

    // The second one proves the first released the lock (else it waits 2 s for a live holder: this process).
    const first = await increment().catch((error: unknown) => error);
    const second = await increment().catch((error: unknown) => error);

    expect(first).toMatchObject({ count: 1 });
    expect(second).toMatchObject({ count: 2 });
    expect((await registry.lookup("docs")).records).toMatchObject([{ id: "a", count: 2 }]);
  },
);

test.each(Object.keys(STRAY))(
  "with %s in a spawn claim's directory, the claim is acquired, released and acquired again",
  async (name) => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path, lockTimeoutMs: 2_000 });
    const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
    const request = { key: "spawn docs m", workerId: "docs", owner, ttlMs: 60_000 };
    const claimDir = join(path, "claims", hashed("spawn docs m"));
    mkdirSync(claimDir, { recursive: true, mode: 0o700 });
    STRAY[name]?.(claimDir);

    const first = await registry.acquireClaim(request).catch((error: unknown) => error);
    expect(first).toMatchObject({ acquired: true });
    const claim = (first as { claim: Parameters<DeviceRegistry["releaseClaim"]>[0] }).claim;
    expect(await registry.acquireClaim(request)).toEqual({ acquired: false, holder: claim });
    await registry.releaseClaim(claim);
    expect(await registry.readClaim("spawn docs m")).toBeUndefined();
    const again = await registry.acquireClaim(request).catch((error: unknown) => error);

    expect(again).toMatchObject({ acquired: true });
  },
);
