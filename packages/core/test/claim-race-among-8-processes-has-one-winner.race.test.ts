import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ClaimAttempt, DeviceRegistry, processIdentityOf, type SpawnClaim } from "@modelpool/core";
import { raceTest, startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { childLines } from "./fixtures/child-lines.js";

const KEYS = ["spawn docs m", "spawn docs n", "spawn code m", "lock a", "lock b"];

raceTest(
  "8 OS processes racing for the same claims at once: exactly one winner per key; after it releases the next acquire wins; a stale token renews and releases nothing",
  {
    perRunMs: 15_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    // Made beforehand: this test is about the claims (creating a registry at once is another test's).
    await new DeviceRegistry({ path }).put({
      kind: "worker",
      id: "made",
      workerId: "made",
      pid: 999_999,
      status: "stopped",
      startedAt: 1,
      updatedAt: 1,
    });
    const start = join(await tempDir(), "start");
    const racers = Array.from({ length: 8 }, () => {
      const child = startNodeScript(new URL("./fixtures/claim-race.ts", import.meta.url), [
        path,
        JSON.stringify(KEYS),
        start,
      ]);
      return { child, out: childLines(child) };
    });
    await Promise.all(racers.map(({ out }) => out.line("ready")));

    await writeFile(start, "");
    const results = await Promise.all(
      racers.map(async ({ out }) => {
        const byKey = new Map<string, ClaimAttempt>();
        for (const key of KEYS) {
          const line = await out.line(`result ${JSON.stringify(key)} `);
          byKey.set(key, JSON.parse(line.slice(`result ${JSON.stringify(key)} `.length)) as ClaimAttempt);
        }
        return byKey;
      }),
    );

    const registry = new DeviceRegistry({ path });
    for (const key of KEYS) {
      const attempts = results.map((byKey) => byKey.get(key) as ClaimAttempt);
      const winners = attempts.filter((a) => a.acquired);
      expect(winners, key).toHaveLength(1);
      const won = (winners[0] as { claim: SpawnClaim }).claim;
      // Every loser saw the winner as the holder (none saw a claim that was later withdrawn).
      for (const attempt of attempts.filter((a) => !a.acquired))
        expect(attempt).toEqual({ acquired: false, holder: won });
      expect(await registry.readClaim(key)).toEqual(won);
    }

    const key = KEYS[0] as string;
    const winnerIndex = results.findIndex((byKey) => byKey.get(key)?.acquired);
    const winner = racers[winnerIndex] as (typeof racers)[number];
    const stale = ((results[winnerIndex] as Map<string, ClaimAttempt>).get(key) as { claim: SpawnClaim }).claim;
    const self = processIdentityOf(process.pid);
    const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
    const request = { key, workerId: "docs", owner, ttlMs: 60_000 };
    expect(await registry.acquireClaim(request)).toEqual({ acquired: false, holder: stale });

    winner.child.stdin?.write(`release ${JSON.stringify(key)}\n`);
    await winner.out.line(`released ${JSON.stringify(key)}`);
    expect(await registry.readClaim(key)).toBeUndefined();
    const next = await registry.acquireClaim(request);

    expect(next).toMatchObject({ acquired: true, claim: { owner } });
    expect(next).not.toHaveProperty("replaced", expect.anything());
    const mine = (next as { claim: SpawnClaim }).claim;
    expect(mine.token).not.toBe(stale.token);
    // The old winner's token is stale now: it can neither renew nor release the new claim.
    expect(await registry.renewClaim(stale, 600_000)).toBeUndefined();
    await registry.releaseClaim(stale);
    expect(await registry.readClaim(key)).toEqual(mine);
    expect(await registry.renewClaim(mine, 60_000)).toMatchObject({ token: mine.token });
    for (const { child } of racers) child.stdin?.end();
  },
);
