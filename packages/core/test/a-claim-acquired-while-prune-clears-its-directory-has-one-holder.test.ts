import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ClaimAttempt, DeviceRegistry, processIdentityOf, type SpawnClaim } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { ClaimDirectory } from "../src/registry/device/claim-directory.js";

// Were prune to clear a settled claim directory, the next acquire would start counting at 1 again: a
// process that listed the directory just before the prune (it saw `1.released`, the claim free) would
// create `2` just after it while another process, finding the directory gone, created `1` — two holders.
// So prune never clears a spawn claim's directory. The steps of the other process and of prune run here at
// the moment the first one has listed and not yet created (when `acquire` calls `make`); prune's `now` is
// 11 minutes ahead, as if the claim had been quiet.

const KEY = "spawn docs m";
const self = processIdentityOf(process.pid);

test("prune never clears a settled spawn claim's directory, so a claim acquired while another process's acquire and a prune interleave has one holder", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
  const request = { key: KEY, workerId: "docs", owner, ttlMs: 60_000 };
  const first = await registry.acquireClaim(request);
  await registry.releaseClaim((first as { claim: SpawnClaim }).claim); // the directory holds `1.released`
  const dir = join(path, "claims", createHash("sha256").update(KEY).digest("hex").slice(0, 40));
  const judge = () => undefined; // the holders here are this live process
  let kept = false;
  let other: Promise<ClaimAttempt> | undefined;

  const mine = new ClaimDirectory(dir, judge).acquire((token) => {
    void registry.prune(Date.now() + 11 * 60_000); // its directory part runs before prune's first await
    kept = existsSync(dir);
    other = registry.acquireClaim(request); // its first attempt runs before acquireClaim's first await
    const now = Date.now();
    return { key: KEY, token, workerId: "docs", owner, acquiredAt: now, expiresAt: now + 60_000 };
  });
  const theirs = await other;

  expect(kept).toBe(true);
  const holders = [mine, theirs].filter((attempt) => attempt !== "contended" && attempt?.acquired);
  expect(holders).toHaveLength(1);
});
