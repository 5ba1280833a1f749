import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ClaimAttempt, DeviceRegistry, processIdentityOf, type SpawnClaim } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { ClaimDirectory } from "../src/registry/device/claim-directory.js";

// prune clears a claim directory whose files are all released and older than 10 minutes, so the next
// acquire starts counting at 1 again. A process that listed the directory just before the prune (it saw
// `1.released`, the claim free) creates `2` just after it; meanwhile another process, finding the directory
// gone, created `1`. Neither listing was old: the restarted count matters at once, not after 10 minutes.
// The steps of the other process and of prune run here at the moment the first one has listed and not yet
// created (when `acquire` calls `make`); prune's `now` is 11 minutes ahead, as if the claim had been quiet.

const KEY = "spawn docs m";
const self = processIdentityOf(process.pid);

test("a claim acquired by one process while another process's acquire and a prune of its settled directory interleave: one holder", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
  const request = { key: KEY, workerId: "docs", owner, ttlMs: 60_000 };
  const first = await registry.acquireClaim(request);
  await registry.releaseClaim((first as { claim: SpawnClaim }).claim); // the directory holds `1.released`
  const dir = join(path, "claims", createHash("sha256").update(KEY).digest("hex").slice(0, 40));
  const judge = () => undefined; // the holders here are this live process
  let pruned = false;
  let other: Promise<ClaimAttempt> | undefined;

  const mine = new ClaimDirectory(dir, judge).acquire((token) => {
    void registry.prune(Date.now() + 11 * 60_000); // its directory part runs before prune's first await
    pruned = !existsSync(dir);
    other = registry.acquireClaim(request); // its first attempt runs before acquireClaim's first await
    const now = Date.now();
    return { key: KEY, token, workerId: "docs", owner, acquiredAt: now, expiresAt: now + 60_000 };
  });
  const theirs = await other;

  expect(pruned).toBe(true); // else this test tried nothing
  const holders = [mine, theirs].filter((attempt) => attempt !== "contended" && attempt?.acquired);
  expect(holders).toHaveLength(1);
});
