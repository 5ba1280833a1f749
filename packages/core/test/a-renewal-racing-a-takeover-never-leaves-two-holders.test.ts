import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SpawnClaim } from "@modelpool/core";
import { tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { ClaimDirectory, type StaleJudge } from "../src/registry/device/claim-directory.js";

// A holder that was late renewing (its claim expired: a blocked event loop, a suspended machine, SIGSTOP)
// renews at the same moment a rival that saw it expired takes it over. Whatever the order of their steps,
// afterwards at most one of them may believe it holds the claim (and the claim must say which). The rival's
// steps run in one process here, in the order another process could interleave them: the holder renews after
// the rival judged it expired and before the rival created the next number (the moment `acquire` calls `make`).

const expired: StaleJudge = (holder, now) => (holder.expiresAt <= now ? "it expired" : undefined);
const owner = (pid: number) => ({ pid, host: "this-host" });

function claimOf(name: number, ttlMs: number): (token: string) => SpawnClaim {
  return (token) => {
    const now = Date.now();
    return {
      key: "spawn docs m",
      token,
      workerId: "docs",
      owner: owner(name),
      acquiredAt: now,
      expiresAt: now + ttlMs,
    };
  };
}

async function expiredHolder(): Promise<{ claims: ClaimDirectory; held: SpawnClaim }> {
  const claims = new ClaimDirectory(join(await tempDir(), "claim"), expired);
  const attempt = claims.acquire(claimOf(1, 20));
  if (attempt === "contended" || !attempt.acquired) throw new Error("the claim was not free");
  await sleep(60); // its TTL passed without a renewal
  return { claims, held: attempt.claim };
}

/** Who believes it holds the claim now; the claim directory must name that one (or be free if none). */
function believers(
  claims: ClaimDirectory,
  renewed: SpawnClaim | undefined,
  rival: ReturnType<ClaimDirectory["acquire"]>,
) {
  const rivalClaim = rival !== "contended" && rival.acquired ? rival.claim : undefined;
  const holders = [...(renewed ? [renewed] : []), ...(rivalClaim ? [rivalClaim] : [])];
  return { holders, current: claims.read() };
}

test("a late holder renewing while a rival that saw its claim expired creates the next number: at most one of them holds afterwards", async () => {
  const { claims, held } = await expiredHolder();
  let renewed: SpawnClaim | undefined;

  const rival = claims.acquire((token) => {
    renewed = claims.renew(held, 60_000); // between the rival's judging and its creating
    return claimOf(2, 60_000)(token);
  });

  const { holders, current } = believers(claims, renewed, rival);
  expect(holders.map((claim) => claim.owner.pid)).toHaveLength(Math.min(holders.length, 1));
  expect(current).toEqual(holders[0]);
});

test("a late holder that renews before a rival looks: exactly one of them holds afterwards", async () => {
  const { claims, held } = await expiredHolder();

  const renewed = claims.renew(held, 60_000);
  const rival = claims.acquire(claimOf(2, 60_000));

  const { holders, current } = believers(claims, renewed, rival);
  expect(holders).toHaveLength(1);
  expect(current).toEqual(holders[0]);
});

test("a late holder that renews after a rival took its claim over gets nothing, and the rival keeps it", async () => {
  const { claims, held } = await expiredHolder();

  const rival = claims.acquire(claimOf(2, 60_000));
  const renewed = claims.renew(held, 60_000);

  expect(rival).toMatchObject({ acquired: true, replaced: held });
  expect(renewed).toBeUndefined();
  expect(claims.read()).toEqual((rival as { claim: SpawnClaim }).claim);
});
