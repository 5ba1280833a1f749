import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { DeviceRegistry, fingerprintKey, processIdentityOf, type SpawnClaim } from "@modelpool/core";
import { runNodeScript, stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

// A fingerprint may carry attributes of up to 4096 characters each (a system prompt, a long option): its
// spawn claim's key (workerId + the whole fingerprint) is then longer than the 4096 characters a claim
// file may name when read back, so the holder's file reads as no claim at all.
const fingerprint = {
  resolvedModel: "m",
  modelPolicy: "dynamic" as const,
  attributes: { systemPrompt: "You answer questions about the docs. ".repeat(110).slice(0, 4096) },
};
const self = processIdentityOf(process.pid);

test("two acquires of the spawn claim of a fingerprint with a 4096-character attribute: the second sees the first as holder", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
  const key = `spawn\u0000docs\u0000${fingerprintKey(fingerprint)}`;
  const request = { key, workerId: "docs", owner, ttlMs: 60_000 };

  const first = await registry.acquireClaim(request);
  const second = await registry.acquireClaim(request);

  expect(first).toMatchObject({ acquired: true });
  const claim = (first as { claim: SpawnClaim }).claim;
  expect(await registry.readClaim(key)).toEqual(claim);
  expect(second).toEqual({ acquired: false, holder: claim });
});

test("8 OS processes asking at once for a worker whose fingerprint has a 4096-character attribute make exactly one spawn", {
  timeout: 120_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const mine = { ...fingerprint, resolvedModel: `m-${randomUUID()}` };
  onTestFinished(() => {
    // Workers of this model that no record names, if any (the registry's are stopped by the line above).
    for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
      try {
        const env = readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
        if (env.includes(`MODELPOOL_MODEL=${mine.resolvedModel}`)) process.kill(Number(name), "SIGKILL");
      } catch {
        // gone, or not ours
      }
    }
  });

  const results = await Promise.all(
    Array.from({ length: 8 }, () =>
      runNodeScript(new URL("./fixtures/request-worker-fingerprint.ts", import.meta.url), [
        path,
        "docs",
        JSON.stringify(mine),
      ]),
    ),
  );

  const printed = results.map(
    ({ stdout }) => JSON.parse(stdout.trim().split("\n").at(-1) as string) as { pid: number },
  );
  const records = await new DeviceRegistry({ path }).list();
  expect(records).toHaveLength(1);
  expect(new Set(printed.map((p) => p.pid)).size).toBe(1);
});
