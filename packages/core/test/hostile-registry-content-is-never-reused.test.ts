import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { isModelpoolError, type PoolWarning, processIdentityOf, type WorkerBackend, WorkerPool } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const NEVER_SPAWNS: WorkerBackend = { name: "never", spawn: () => Promise.reject(new Error("not in this test")) };
const me = processIdentityOf(process.pid);

/** A live process of another user: as root we start one as `nobody`; otherwise pid 1 belongs to root. */
function otherUsersProcess(): { pid: number; start?: string; stop(): void } {
  if (process.getuid?.() === 0) {
    const child = spawn("sleep", ["60"], { uid: 65534, gid: 65534, stdio: "ignore" });
    return { ...processIdentityOf(child.pid as number), stop: () => child.kill("SIGKILL") };
  }
  return { ...processIdentityOf(1), stop: () => undefined };
}

test("hostile entries are never reused and raise nothing but typed errors or warnings", async () => {
  const path = await tempRegistryPath();
  const stranger = otherUsersProcess();
  const base = { kind: "worker", workerId: "docs", status: "ready", startedAt: Date.now(), updatedAt: Date.now() };
  const fingerprint = { resolvedModel: "m", modelPolicy: "dynamic" };
  const hostile = [
    {
      ...base,
      id: "proto",
      pid: me.pid,
      pidStart: me.start,
      fingerprint: { ...fingerprint, attributes: JSON.parse('{"__proto__":{"polluted":true}}') },
    },
    {
      ...base,
      id: "huge",
      pid: me.pid,
      pidStart: me.start,
      fingerprint: { ...fingerprint, resolvedModel: "m".repeat(2_000_000) },
    },
    { ...base, id: "remote", pid: me.pid, pidStart: me.start, fingerprint, url: "http://198.51.100.9:4096" },
    { ...base, id: "userinfo", pid: me.pid, pidStart: me.start, fingerprint, url: "http://127.0.0.1@evil.example:80" },
    { ...base, id: "stranger", pid: stranger.pid, pidStart: stranger.start, fingerprint },
    { ...base, id: "negative", pid: -1, fingerprint },
    { ...base, id: "float", pid: 1.5, fingerprint },
    { ...base, id: "zero", pid: 0, fingerprint },
    { ...base, id: "string", pid: "1; rm -rf /", fingerprint },
    { ...base, id: "huge-pid", pid: 2 ** 53, fingerprint },
  ];
  // A top-level __proto__ key cannot be written with an object literal: splice it into the JSON text.
  const protoTop = JSON.stringify({ ...base, id: "proto-top", pid: me.pid, pidStart: me.start, fingerprint }).replace(
    /^\{/,
    '{"__proto__":{"reuse":true},',
  );
  const lines = [...hostile.map((entry) => JSON.stringify(entry)), protoTop];
  const text = `{"version":2,"entries":[\n${lines.join(",\n")}\n]}\n`;
  await writeFile(path, text, { mode: 0o600 });
  const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry: path, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });

  try {
    const decision = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
    const failure = await pool
      .getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } })
      .catch((e: unknown) => e);

    expect(decision.outcome).toBe("spawned");
    expect(decision.considered.filter((c) => c.verdict.reuse)).toEqual([]);
    const reasons = Object.fromEntries(decision.considered.map((c) => [c.candidate.id, c.verdict.reason]));
    expect(reasons.remote).toMatch(/not on this machine/);
    expect(reasons.userinfo).toMatch(/not on this machine/);
    expect(reasons.stranger).toMatch(/another user/);
    const unreadable = warnings.find((w) => w.code === "REGISTRY_ENTRIES_UNREADABLE");
    // proto, huge, negative, float, zero, string, huge-pid and proto-top cannot be read: never candidates.
    expect(unreadable?.message).toMatch(/^8 worker entries/);
    expect(Object.keys(reasons).sort()).toEqual(["remote", "stranger", "userinfo"]);
    expect(({} as { polluted?: boolean; reuse?: boolean }).polluted).toBeUndefined();
    expect(({} as { reuse?: boolean }).reuse).toBeUndefined();
    // Spawning is all that was left, and this backend refuses: a typed error, nothing else.
    expect(isModelpoolError(failure)).toBe(true);
  } finally {
    stranger.stop();
  }
});
