import { DeviceRegistry, processIdentityOf, type SpawnClaim } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

// A failed spawn's claim is released with the failure, which waiters share until its back-off ends instead
// of each starting the crashing model again. The message is cut to 8192 characters; written as JSON, that is
// up to 24 KB of UTF-8 (or more with escapes), more than the 16 KB a claim file may have when read back.
const self = processIdentityOf(process.pid);

test.each([
  ["non-ASCII text", "モデルを読み込めません。".repeat(700)],
  ["control characters", "\u0001".repeat(8192)],
  ["ASCII text", "cannot load model. ".repeat(500)],
])(
  "a failure released with a long message of %s is shared with the next claimant until its back-off ends",
  async (_, message) => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path });
    const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
    const request = { key: "spawn docs m", workerId: "docs", owner, ttlMs: 60_000 };
    const first = await registry.acquireClaim(request);
    const claim = (first as { claim: SpawnClaim }).claim;

    await registry.releaseClaim(claim, { failure: { message, backoffMs: 60_000 } });

    expect(await registry.readClaim("spawn docs m")).toMatchObject({ retryAfter: expect.any(Number) });
    expect(await registry.acquireClaim(request)).toMatchObject({ acquired: false, failed: { key: "spawn docs m" } });
  },
);
