// A spawn claim on this host is free only once its owner is gone. An owner that is alive but late renewing
// (a loaded machine, SIGSTOP, a paused VM) keeps it: taking it over by its age started a second spawn of
// the same workerId + fingerprint (seen in the hostile suite: 11 askers on 4 different workers).
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a claim whose owner on this host lives is kept past its expiry, renewable by its owner, and taken only once the owner is gone", async () => {
  const registry = new DeviceRegistry({ path: await tempDir(), legacySources: false });
  const me = { ...processIdentityOf(process.pid), host: registry.hostId };
  const first = await registry.acquireClaim({ key: "k", workerId: "docs", owner: me, ttlMs: 50 });
  expect(first.acquired).toBe(true);
  if (!first.acquired) return;
  await new Promise((resolve) => setTimeout(resolve, 200)); // well past its expiry, no renewal

  // Still held: a rival is refused and a waiter does not see it free.
  const rival = await registry.acquireClaim({ key: "k", workerId: "docs", owner: me, ttlMs: 60_000 });
  expect(rival.acquired).toBe(false);
  expect(await registry.readClaim("k")).toMatchObject({ token: first.claim.token });
  // Its owner's late renewal lands: it never lost the claim.
  const renewed = await registry.renewClaim(first.claim, 60_000);
  expect(renewed?.token).toBe(first.claim.token);
  await registry.releaseClaim(first.claim);
  expect(await registry.readClaim("k")).toBeUndefined();
});
