import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DeviceRegistry,
  fingerprintKey,
  LockTimeoutError,
  type PoolWarning,
  processIdentityOf,
  type SpawnClaim,
} from "@modelpool/core";
import { SameModelTestPolicy, startNodeScript, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { record, recordFile } from "./fixtures/registry-files.js";

/** Well under the default lockTimeoutMs (10 s): a dead holder is noticed at once, not waited out. */
const PROMPTLY_MS = 5_000;
const self = processIdentityOf(process.pid);

/** Starts a child holding a record lock or a claim; resolves once it holds it, with what it printed. */
async function holder(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = startNodeScript(new URL("./fixtures/hold-lock.ts", import.meta.url), args);
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(out.split("\n")[0] as string);
    });
    child.once("exit", (code) => reject(new Error(`hold-lock exited with ${code} before holding: ${stderr}`)));
  });
  return { child, line };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

test("a record lock whose holder was SIGKILLed while holding it is taken over promptly by the next update", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path }); // default lockTimeoutMs: 10 s
  const a = await registry.put(record({ id: "a", workerId: "docs" }));
  const { child } = await holder([path, "lock", "docs", "a"]);
  await kill(child);

  const { value, ms } = await timed(() => registry.update(a, (current) => ({ ...current, updatedAt: 42 })));

  expect(ms).toBeLessThan(PROMPTLY_MS);
  expect(value).toMatchObject({ id: "a", updatedAt: 42 });
  expect((await new DeviceRegistry({ path }).lookup("docs")).records).toEqual([value]);
});

test("a record lock held by a live process makes update fail with LockTimeoutError after lockTimeoutMs, writing nothing", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  await new DeviceRegistry({ path }).put(record({ id: "a", workerId: "docs" }));
  const bytes = await readFile(recordFile(path, "docs", "a"));
  const { child } = await holder([path, "lock", "docs", "a"]);
  const registry = new DeviceRegistry({ path, lockTimeoutMs: 1_000 });
  let changed = false;

  const { value: error, ms } = await timed(() =>
    registry
      .update({ workerId: "docs", id: "a" }, (current) => {
        changed = true;
        return { ...current, updatedAt: 42 };
      })
      .catch((e: unknown) => e),
  );

  expect(error).toBeInstanceOf(LockTimeoutError);
  expect(error).toMatchObject({ code: "LOCK_TIMEOUT", message: expect.stringContaining(`process ${child.pid}`) });
  expect(ms).toBeGreaterThanOrEqual(950);
  expect(changed).toBe(false);
  expect(await readFile(recordFile(path, "docs", "a"))).toEqual(bytes);
  const put = await registry.put(record({ id: "a", workerId: "docs" })).catch((e: unknown) => e);
  expect(put).toBeInstanceOf(LockTimeoutError);
  expect(await readFile(recordFile(path, "docs", "a"))).toEqual(bytes);
  // Another record's writes never wait for that lock.
  const other = await timed(() => registry.put(record({ id: "b", workerId: "docs" })));
  expect(other.ms).toBeLessThan(PROMPTLY_MS);
  await kill(child);
});

test("a spawn claim whose holder was SIGKILLed is free at once, and the next acquireClaim takes it over", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const { child, line } = await holder([path, "claim", JSON.stringify("spawn docs m"), "docs"]);
  const held = JSON.parse(line.slice("held ".length)) as SpawnClaim;
  const registry = new DeviceRegistry({ path });
  const owner = { pid: self.pid, ...(self.start ? { start: self.start } : {}), host: registry.hostId };
  const request = { key: "spawn docs m", workerId: "docs", owner, ttlMs: 60_000 };

  const whileAlive = await registry.acquireClaim(request);
  expect(whileAlive).toEqual({ acquired: false, holder: held });
  expect(await registry.readClaim("spawn docs m")).toEqual(held);
  await kill(child);
  const { value: attempt, ms } = await timed(() => registry.acquireClaim(request));

  expect(ms).toBeLessThan(PROMPTLY_MS);
  expect(attempt).toMatchObject({ acquired: true, replaced: held, claim: { owner } });
  expect(await registry.readClaim("spawn docs m")).toMatchObject({ owner });
  // The dead holder's token can neither renew nor release the new claim.
  expect(await registry.renewClaim(held, 60_000)).toBeUndefined();
  await registry.releaseClaim(held);
  expect(await registry.readClaim("spawn docs m")).toMatchObject({ owner });
});

test("a pool whose spawn claim was left by a SIGKILLed process spawns promptly instead of waiting", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const fingerprint = { resolvedModel: "m", modelPolicy: "dynamic" as const };
  // As the pool keys a spawn: workerId and the SHA-256 of the fingerprint's canonical key.
  const key = `spawn\u0000docs\u0000${createHash("sha256").update(fingerprintKey(fingerprint)).digest("hex")}`;
  const { child } = await holder([path, "claim", JSON.stringify(key), "docs"]);
  await kill(child);
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });

  const { value: lease, ms } = await timed(() => pool.getOrSpawn({ workerId: "docs", fingerprint }));

  expect(lease.decision.outcome).toBe("spawned");
  expect(lease.decision.shared).toBe(false);
  expect(ms).toBeLessThan(PROMPTLY_MS + 5_000); // includes starting the worker itself
  expect(warnings).toEqual([]);
  // It went through the dead process's claim (the same key): took it over as number 2, then released it.
  const claimDir = join(path, "claims", createHash("sha256").update(key).digest("hex").slice(0, 40));
  expect(readdirSync(claimDir)).toEqual(["2.released"]);
});
