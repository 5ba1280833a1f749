import { copyFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { DeviceRegistry } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { main } from "../src/main.js";

const V1_FIXTURE = fileURLToPath(new URL("fixtures/registry-v1.json", import.meta.url));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("ls shows each worker's model, policy, status, pid, liveness, leases, idle time and url", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path });
  const lease = await pool.getOrSpawn({
    workerId: "docs",
    fingerprint: { resolvedModel: "openai/gpt-5-mini", modelPolicy: "sticky" },
  });
  await pool.settled(); // its lease is in the registry

  const { code, out } = await run("ls", "--registry", path);

  expect(code).toBe(0);
  expect(out).toMatch(/WORKER\s+MODEL\s+POLICY\s+STATUS\s+PID\s+ALIVE\s+LEASES\s+IDLE\s+URL\s+AGE/);
  expect(out).toMatch(
    new RegExp(
      `docs\\s+openai/gpt-5-mini\\s+sticky\\s+ready\\s+${lease.worker.pid}\\s+yes\\s+1\\s+-\\s+http://127.0.0.1`,
    ),
  );
  const json = JSON.parse((await run("ls", "--registry", path, "--json")).out);
  expect(json.workers[0]).toMatchObject({ id: lease.worker.id, alive: true, leases: 1, idleMs: 0 });
});

test("stats tells what the registry knows: live and dead workers, leases, idle times", async () => {
  const path = await tempRegistryPath();
  await copyFile(V1_FIXTURE, path); // two dead workers, a session, an unreadable entry
  const pool = testPool({ registry: path });
  // The fixture's unreadable entry is reported to the pool as a warning: expected here, so listened to
  // (a pool with no listener would print it as a process warning).
  const warnings: string[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning.code);
  });
  const held = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  const idle = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "m" } });
  await idle.release();
  await pool.settled();

  const { code, out } = await run("stats", "--registry", path);
  const json = JSON.parse((await run("stats", "--registry", path, "--json")).out);

  expect(code).toBe(0);
  expect(out).toContain("workers: 4 recorded, 2 live, 2 dead (run prune)");
  expect(json).toMatchObject({
    live: 2,
    dead: 2,
    leases: 1,
    leased: 1,
    idle: 1,
    unreadableEntries: 1,
    byWorkerId: { docs: 1, coder: 1 },
  });
  expect(warnings).toContain("REGISTRY_ENTRIES_UNREADABLE");
  await held.release();
});

test("prune removes dead entries and says why; sessions stay", async () => {
  const path = await tempRegistryPath();
  await copyFile(V1_FIXTURE, path);

  const { code, out } = await run("prune", "--registry", path);

  expect(code).toBe(0);
  expect(out).toMatch(/docs\s+999999\s+ready\s+process 999999 is not running/);
  expect(await new DeviceRegistry({ path }).list()).toEqual([]);
  expect((await new DeviceRegistry({ path }).read()).preserved).toHaveLength(2);
});

test("explain prints every candidate with its verdict, loading policies by module", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "claude-sonnet-4-5" } });

  const family = await run("explain", "docs", "claude-sonnet-4-1", "--registry", path, "--policy", "family");
  const exact = await run("explain", "docs", "claude-sonnet-4-1", "--registry", path, "--policy", "exact", "--json");
  const none = await run("explain", "docs", "claude-sonnet-4-5", "--registry", path);

  expect(family.out).toMatch(/^would reuse/);
  expect(family.out).toMatch(/claude-sonnet-4-5 pid \d+\s+registry\s+reuse\s+FamilyPolicy\s+same family claude-sonnet/);
  expect(JSON.parse(exact.out)).toMatchObject({
    outcome: "spawned",
    considered: [{ verdict: { reuse: false, by: "ExactModelPolicy" } }],
  });
  expect(none.out).toContain("no --policy given");
});

test.each([
  [["frobnicate"], /^modelpool: unknown command "frobnicate" \(expected ls, stats, prune, explain or help\)/],
  [["explain", "docs"], /^modelpool explain: explain takes <workerId> <model>; missing <model>/],
  [["ls", "extra"], /^modelpool ls: ls takes no arguments; unexpected "extra"/],
  [["ls", "--colour"], /^modelpool ls: Unknown option '--colour'/],
  [["prune", "--registry"], /Option '--registry' argument is ambiguous/],
  [["explain", "docs", "m", "--policy", "./no-such-policy.js"], /cannot load policy module "\.\/no-such-policy\.js"/],
  [
    ["explain", "docs", "m", "--policy", "no-such-policy-package"],
    /cannot find policy package "no-such-policy-package" from /,
  ],
  [
    ["explain", "docs", "m", "--model-policy", "always"],
    /--model-policy sets the fingerprint's modelPolicy field, which must be one of dynamic, sticky; got "always"/,
  ],
])("bad arguments %j exit 2 with a message naming what was wrong", async (argv, message) => {
  const { code, err } = await run(...argv, "--registry", await tempRegistryPath());
  expect(code).toBe(2);
  expect(err).toMatch(message);
  expect(err).toMatch(/Run "modelpool (\w+ )?--help" for usage\.$/);
});

test("a usage error with --json is a JSON error carrying its exit code", async () => {
  const { code, err } = await run("ls", "extra", "--json");
  expect(code).toBe(2);
  expect(JSON.parse(err)).toEqual({
    error: { name: "UsageError", code: "USAGE", message: 'ls takes no arguments; unexpected "extra"', exitCode: 2 },
  });
});

test.each([["ls"], ["stats"], ["prune"], ["explain", "docs", "m", "--policy", "exact"]])(
  "%s on a corrupt registry exits 1 with a typed error, like every command",
  async (...argv) => {
    const path = await tempRegistryPath();
    await writeFile(path, "{ not json", { mode: 0o600 });

    const { code, err } = await run(...argv, "--registry", path, "--json");

    expect(code).toBe(1);
    expect(JSON.parse(err).error).toMatchObject({ code: "REGISTRY_CORRUPT", exitCode: 1 });
  },
);
