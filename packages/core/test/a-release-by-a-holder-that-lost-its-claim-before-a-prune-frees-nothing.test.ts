import { setTimeout as sleep } from "node:timers/promises";
import { DeviceRegistry, processIdentityOf, type SpawnClaim } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

// A holder stalls (SIGSTOP, a frozen container, a debugger) past its claim's expiry; another process takes
// the claim over and releases it; 10 minutes later prune clears the settled claim directory, and the count
// starts at 1 again. When the stalled holder resumes and releases its old claim, its token names a number
// that now belongs to the new holder: release renames that file without checking whose it is.
// prune's `now` is 11 minutes ahead here, as if those 10 minutes had passed.

const KEY = "spawn docs m";
const self = processIdentityOf(process.pid);

test("a holder that lost its claim, released after a prune restarted the count, frees nothing: the new holder keeps the claim", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  // Of another host: a claim of this host is kept while its owner lives, however late; another host's
  // lapses with its expiry, which is how this one is lost.
  const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: `${registry.hostId}-elsewhere` };
  const request = (ttlMs: number) => ({ key: KEY, workerId: "docs", owner, ttlMs });
  const stalled = await registry.acquireClaim(request(20));
  const lost = (stalled as { claim: SpawnClaim }).claim;
  await sleep(60); // expired without a renewal
  const taker = await registry.acquireClaim(request(60_000));
  expect(taker).toMatchObject({ acquired: true, replaced: lost });
  await registry.releaseClaim((taker as { claim: SpawnClaim }).claim);
  await registry.prune(Date.now() + 11 * 60_000);
  const next = await registry.acquireClaim(request(60_000));
  expect(next).toMatchObject({ acquired: true });
  const current = (next as { claim: SpawnClaim }).claim;

  await registry.releaseClaim(lost);

  expect(await registry.readClaim(KEY)).toEqual(current);
  expect(await registry.acquireClaim(request(60_000))).toEqual({ acquired: false, holder: current });
  expect(await registry.renewClaim(current, 60_000)).toMatchObject({ token: current.token });
});
