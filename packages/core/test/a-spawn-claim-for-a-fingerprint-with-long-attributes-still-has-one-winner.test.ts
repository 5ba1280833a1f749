import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DeviceRegistry,
  fingerprintKey,
  InvalidRequestError,
  processIdentityOf,
  type SpawnClaim,
} from "@modelpool/core";
import { startNodeScript, stopRecordedWorkersAfterTest, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";

// A fingerprint may carry attributes of up to 4096 characters each (a system prompt, a long option): a
// spawn claim keyed by the whole fingerprint would be longer than the 4096 characters a claim file may
// name when read back, and the holder's file would read as no claim at all.
const fingerprint = {
  resolvedModel: "m",
  modelPolicy: "dynamic" as const,
  attributes: { systemPrompt: "You answer questions about the docs. ".repeat(110).slice(0, 4096) },
};
const self = processIdentityOf(process.pid);

test("a claim key too long for a claim file is a typed error before anything is written; keyed by its hash, the second acquire sees the first as holder", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
  const longKey = `spawn\u0000docs\u0000${fingerprintKey(fingerprint)}`;

  await expect(registry.acquireClaim({ key: longKey, workerId: "docs", owner, ttlMs: 60_000 })).rejects.toBeInstanceOf(
    InvalidRequestError,
  );
  expect(existsSync(join(path, "claims"))).toBe(false);

  // As the pool keys a spawn: the fingerprint by the SHA-256 of its canonical key.
  const key = `spawn\u0000docs\u0000${createHash("sha256").update(fingerprintKey(fingerprint)).digest("hex")}`;
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

  const start = join(await tempDir(), "start");
  // Started together, each worker 1.5 s from ready: every process asks while the first spawn is under way.
  const askers = Array.from({ length: 8 }, () =>
    childLines(
      startNodeScript(
        new URL("./fixtures/request-worker-fingerprint.ts", import.meta.url),
        [path, "docs", JSON.stringify(mine), start],
        { WORKER_START_DELAY_MS: "1500", PROBE_TIMEOUT_MS: "30000" },
      ),
    ),
  );
  await Promise.all(askers.map((asker) => asker.line("ready")));
  await writeFile(start, "");
  const codes = await Promise.all(askers.map((asker) => asker.exited));

  expect(codes, askers.map((asker) => asker.stderr()).join("\n")).toEqual(Array(8).fill(0));
  const results = askers.map((asker) => ({ stdout: asker.lines.join("\n") }));
  const printed = results.map(
    ({ stdout }) => JSON.parse(stdout.trim().split("\n").at(-1) as string) as { pid: number },
  );
  const records = await new DeviceRegistry({ path }).list();
  expect(records).toHaveLength(1);
  expect(new Set(printed.map((p) => p.pid)).size).toBe(1);
});
