import { createHash } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ClaimAttempt, DeviceRegistry, processIdentityOf, type SpawnClaim } from "@modelpool/core";
import { raceTest, startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";

const KEY = "spawn docs m";
const hashed = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 40);
const self = processIdentityOf(process.pid);

// The largest number a claim file may carry (15 digits). The next number has 16 digits, which the claim's
// listing does not count as a number at all, and a token naming it names no number either.
const LARGEST = "999999999999999";

async function claimDirWith(name: string, text: string): Promise<{ path: string; dir: string }> {
  const path = await tempRegistryPath();
  await new DeviceRegistry({ path }).put({
    kind: "worker",
    id: "made",
    workerId: "made",
    pid: 999_999,
    status: "stopped",
    startedAt: 1,
    updatedAt: 1,
  });
  const dir = join(path, "claims", hashed(KEY));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, name), text, { mode: 0o600 });
  return { path, dir };
}

test.each([
  [LARGEST, "garbage"],
  [`${LARGEST}.released`, "{}"],
  // Whatever the largest number a claim directory counts, a file just below it must not hide the next one.
  [String(2 ** 52 - 1), "garbage"],
  [`${2 ** 52 - 1}.released`, "{}"],
  [String(2 ** 53 - 1), "garbage"],
  ["9999999999999999", "garbage"],
  ["99999999999999999999", "garbage"],
])(
  "with a file %s in a claim's directory, two acquires in a row: the second sees the first as holder, and release frees it",
  async (name, text) => {
    const { path, dir } = await claimDirWith(name, text);
    const registry = new DeviceRegistry({ path });
    const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
    const request = { key: KEY, workerId: "docs", owner, ttlMs: 60_000 };

    const first = await registry.acquireClaim(request);
    const second = await registry.acquireClaim(request);

    expect(first).toMatchObject({ acquired: true });
    const claim = (first as { claim: SpawnClaim }).claim;
    expect(second, `files: ${(await readdir(dir)).join(", ")}`).toEqual({ acquired: false, holder: claim });
    expect(await registry.readClaim(KEY)).toEqual(claim);
    await registry.releaseClaim(claim);
    expect(await registry.readClaim(KEY)).toBeUndefined();
  },
);

raceTest(
  "with a file numbered 999999999999999 in a claim's directory, 8 OS processes racing for the claim have exactly one winner",
  {
    perRunMs: 10_000,
    defaultRuns: 1,
  },
  async () => {
    const { path, dir } = await claimDirWith(LARGEST, "garbage");
    const start = join(await tempDir(), "start");
    const racers = Array.from({ length: 8 }, () =>
      childLines(
        startNodeScript(new URL("./fixtures/claim-race.ts", import.meta.url), [path, JSON.stringify([KEY]), start]),
      ),
    );
    await Promise.all(racers.map((out) => out.line("ready")));

    await writeFile(start, "");
    const attempts = await Promise.all(
      racers.map(
        async (out) =>
          JSON.parse(
            (await out.line(`result ${JSON.stringify(KEY)} `)).slice(`result ${JSON.stringify(KEY)} `.length),
          ) as ClaimAttempt,
      ),
    );

    const winners = attempts.filter((attempt) => attempt.acquired);
    expect(winners.length, `files: ${(await readdir(dir)).join(", ")}`).toBe(1);
  },
);
