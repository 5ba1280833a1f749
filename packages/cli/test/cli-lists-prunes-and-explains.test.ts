import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceRegistry, NotARegistryError } from "@modelpool/core";
import { SameModelTestPolicy, startStandInProcess, tempDir, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import {
  liveRecord,
  makeFifo,
  record,
  snapshotTree,
  unblockFifoAfter,
} from "../../core/test/fixtures/registry-files.js";
import { runCli as run } from "./fixtures/run-cli.js";

const V1_FIXTURE = fileURLToPath(new URL("fixtures/registry-v1.json", import.meta.url));
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Bytes, inode, mode and times: what any write, rename, chmod or replacement would change. */
async function fileState(path: string) {
  const stats = await stat(path);
  return {
    ino: stats.ino,
    mode: stats.mode,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    bytes: stats.isFile() ? await readFile(path) : undefined,
  };
}

async function v1Copy(): Promise<string> {
  const file = join(await tempDir(), "orchestrator-device-registry.json");
  await copyFile(V1_FIXTURE, file);
  return file;
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
  expect(out.split("\n")[0]).toBe(`registry ${path}`);
  expect(out).toMatch(/WORKER\s+MODEL\s+POLICY\s+STATUS\s+PID\s+ALIVE\s+LEASES\s+IDLE\s+URL\s+AGE/);
  expect(out).toMatch(
    new RegExp(
      `docs\\s+openai/gpt-5-mini\\s+sticky\\s+ready\\s+${lease.worker.pid}\\s+yes\\s+1\\s+-\\s+http://127.0.0.1`,
    ),
  );
  const json = JSON.parse((await run("ls", "--registry", path, "--json")).out);
  expect(json).toMatchObject({ path, unreadable: [] });
  expect(json.workers[0]).toMatchObject({ id: lease.worker.id, alive: true, leases: 1, idleMs: 0 });
});

test("stats tells what the registry and its legacy sources know: live and dead workers, leases, idle times, unreadable entries", async () => {
  const path = await tempRegistryPath();
  const v1 = await v1Copy(); // two dead workers, a session, an unreadable entry
  const before = await fileState(v1);
  const pool = testPool({ registry: new DeviceRegistry({ path, legacySources: [v1] }) });
  const held = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  const idle = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "m" } });
  await idle.release();
  await pool.settled();

  const { code, out } = await run("stats", "--registry", path, "--from", v1);
  const json = JSON.parse((await run("stats", "--registry", path, "--from", v1, "--json")).out);

  expect(code).toBe(0);
  expect(out).toContain("workers: 4 recorded, 2 live, 2 dead (run prune)");
  expect(out).toContain("unreadable records kept as they are: 1");
  expect(json).toMatchObject({
    path,
    live: 2,
    dead: 2,
    leases: 1,
    leased: 1,
    idle: 1,
    unreadableEntries: 1,
    byWorkerId: { docs: 1, coder: 1 },
  });
  await held.release();
  expect(await fileState(v1)).toEqual(before);
});

test("prune removes dead, stopped and failed records, lists each once, names the registry, and leaves unreadable records and legacy files alone", async () => {
  const path = await tempRegistryPath();
  const v1 = await v1Copy();
  const before = await fileState(v1);
  const registry = new DeviceRegistry({ path });
  await registry.put(record({ id: "dead", workerId: "docs", pid: 999_999 }));
  await registry.put(record({ id: "stopped", workerId: "docs", status: "stopped" }));
  await registry.put(record({ id: "failed", workerId: "code", status: "error", lastError: "boom" }));
  await registry.put(liveRecord({ id: "live", workerId: "docs" }));
  await writeFile(join(path, "workers", "docs", "broken.json"), "{ not json", { mode: 0o600 });

  // Two prunes at once (as from two shells): each record is removed, and reported, by exactly one of them.
  const [first, second] = await Promise.all([
    run("prune", "--registry", path, "--from", v1, "--json"),
    run("prune", "--registry", path, "--from", v1, "--json"),
  ]);
  const again = await run("prune", "--registry", path);

  expect([first?.code, second?.code]).toEqual([0, 0]);
  const pruned = [...JSON.parse(first?.out ?? "").pruned, ...JSON.parse(second?.out ?? "").pruned].map(
    (p: { record: { id: string } }) => p.record.id,
  );
  expect(pruned.sort()).toEqual(["dead", "failed", "stopped"]);
  expect(JSON.parse(first?.out ?? "").path).toBe(path);
  expect(again).toMatchObject({ code: 0, out: `nothing to prune in registry ${path}` });
  const remaining = await new DeviceRegistry({ path }).scan();
  expect(remaining.records.map((r) => r.id)).toEqual(["live"]);
  expect(remaining.unreadable).toHaveLength(1);
  expect(await fileState(v1)).toEqual(before); // its dead workers are not this registry's to remove
});

test("prune's text names the registry and lists each removed record once, with why", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  await registry.put(record({ id: "dead", workerId: "docs", pid: 999_999 }));
  await registry.put(record({ id: "stopped", workerId: "code", status: "stopped" }));

  const { code, out } = await run("prune", "--registry", path);

  expect(code).toBe(0);
  expect(out.split("\n")[0]).toBe(`pruned 2 records from registry ${path}`);
  expect(out).toMatch(/WORKER\s+PID\s+STATUS\s+REASON/);
  expect(out.match(/^docs\s+999999\s+ready\s+.*not running/gm)).toHaveLength(1);
  expect(out.match(/^code\s+999999\s+stopped\s+the worker was stopped/gm)).toHaveLength(1);
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

test("migrate --from copies a v1 file's workers into the registry, keeping every field, and leaves the file byte-identical", async () => {
  const path = await tempRegistryPath();
  const v1 = await v1Copy();
  const before = await fileState(v1);

  const migrated = await run("migrate", "--registry", path, "--from", v1);
  const again = await run("migrate", "--registry", path, "--from", v1, "--json");
  const listed = JSON.parse((await run("ls", "--registry", path, "--json")).out);

  expect(migrated.code).toBe(0);
  expect(migrated.out.split("\n")[0]).toBe(`registry ${path}; read from ${v1} (left as they are)`);
  expect(migrated.out).toContain("copied 2 worker records");
  expect(migrated.out).toMatch(/unreadable record kept as it is: .*entries\[3\]/);
  expect(JSON.parse(again.out)).toMatchObject({ copied: [], skipped: [{}, {}] });
  expect(listed.workers.map((w: { id: string }) => w.id).sort()).toEqual([
    "v1:coder:999998:1764000001000",
    "v1:docs:999999:1764000000000",
  ]);
  expect(listed.workers.find((w: { workerId: string }) => w.workerId === "docs")).toMatchObject({
    orchestratorInstanceId: "orch-1",
    hostPid: 4242,
    model: "openai/gpt-5-nano",
    modelPolicy: "sticky",
    fingerprint: { resolvedModel: "openai/gpt-5-nano", modelPolicy: "sticky" },
  });
  expect(await fileState(v1)).toEqual(before);
});

test.each([
  [["frobnicate"], /^modelpool: unknown command "frobnicate" \(commands: ls, stats, prune, migrate, explain, help\)/],
  [["explain", "docs"], /^modelpool explain: explain takes <workerId> <model>; missing <model>/],
  [["ls", "extra"], /^modelpool ls: ls takes no arguments; unexpected "extra"/],
  [["ls", "--colour"], /^modelpool ls: unknown option --colour for ls/],
  [["prune", "--registry"], /--registry needs a value \(<path>\)/],
  [["explain", "docs", "m", "--policy", "./no-such-policy.js"], /policy module "\.\/no-such-policy\.js": no such file/],
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

test("ls, stats, explain and prune against a missing registry say it does not exist (exit 1; --json: empty), migrate creates it; nothing else is created", async () => {
  const parent = await tempDir();
  const path = join(parent, "not", "yet", "registry");

  const results = [
    await run("ls", "--registry", path),
    await run("stats", "--registry", path, "--json"),
    await run("explain", "docs", "m", "--registry", path, "--policy", "exact"),
    await run("prune", "--registry", path),
    await run("migrate", "--registry", path),
  ];

  expect(results.map((r) => r.code)).toEqual([1, 0, 1, 1, 0]);
  expect(results[0]?.err).toContain(`registry ${path} does not exist`);
  expect(JSON.parse(results[1]?.out ?? "")).toMatchObject({ workers: 0, exists: false });
  expect(await readdir(parent)).toEqual([]);
});

type Target = { name: string; make: (dir: string) => Promise<string> };
const notRegistries: Target[] = [
  {
    name: "a regular file",
    make: async (dir) => {
      await writeFile(join(dir, "registry"), "just a file\n", { mode: 0o600 });
      return join(dir, "registry");
    },
  },
  {
    name: "a copy of /etc/passwd",
    make: async (dir) => {
      await copyFile("/etc/passwd", join(dir, "passwd"));
      return join(dir, "passwd");
    },
  },
  {
    name: "a FIFO",
    make: async (dir) => {
      makeFifo(join(dir, "fifo"));
      unblockFifoAfter(join(dir, "fifo"), 8_000);
      return join(dir, "fifo");
    },
  },
  {
    name: "a directory of other files",
    make: async (dir) => {
      await mkdir(join(dir, "home"), { mode: 0o700 });
      await writeFile(join(dir, "home", "notes.txt"), "mine\n", { mode: 0o600 });
      await mkdir(join(dir, "home", "workers"), { mode: 0o700 });
      return join(dir, "home");
    },
  },
  {
    name: "a home directory holding only dotfiles",
    make: async (dir) => {
      await mkdir(join(dir, "home"), { mode: 0o700 });
      await writeFile(join(dir, "home", ".bashrc"), "export PS1='$ '\n", { mode: 0o600 });
      await mkdir(join(dir, "home", ".ssh"), { mode: 0o700 });
      await writeFile(join(dir, "home", ".ssh", "authorized_keys"), "ssh-ed25519 AAAA test\n", { mode: 0o600 });
      return join(dir, "home");
    },
  },
];

for (const target of notRegistries) {
  test(`every command against ${target.name} exits 1 with NOT_A_REGISTRY and leaves it as it is`, async () => {
    const dir = await tempDir();
    const path = await target.make(dir);
    const before = snapshotTree(dir);
    const started = performance.now();

    const results = [
      await run("ls", "--registry", path),
      await run("stats", "--registry", path, "--json"),
      await run("explain", "docs", "m", "--registry", path),
      await run("prune", "--registry", path),
      await run("migrate", "--registry", path, "--from", await v1Copy()),
    ];

    expect(performance.now() - started).toBeLessThan(5_000); // a FIFO is never opened the blocking way
    for (const { code, err } of results) {
      expect(code).toBe(1);
      expect(err).toContain(`${path} is not a modelpool registry`);
    }
    expect(JSON.parse(results[1]?.err ?? "").error).toMatchObject({ code: "NOT_A_REGISTRY" });
    expect(snapshotTree(dir)).toEqual(before);
  });
}

test("the real /etc/passwd given as the registry is refused by ls, stats and explain, and its bytes and times are unchanged", async () => {
  const before = await fileState("/etc/passwd");
  const siblings = (await readdir(dirname("/etc/passwd"))).sort();

  const results = [
    await run("ls", "--registry", "/etc/passwd", "--json"),
    await run("stats", "--registry", "/etc/passwd"),
    await run("explain", "docs", "m", "--registry", "/etc/passwd"),
  ];

  for (const { code, err } of results) {
    expect(code).toBe(1);
    expect(err).toMatch(/NOT_A_REGISTRY|\/etc\/passwd is not a modelpool registry/);
  }
  expect(await fileState("/etc/passwd")).toEqual(before);
  expect((await readdir(dirname("/etc/passwd"))).sort()).toEqual(siblings);
});

/**
 * A live record (a `sleep` stands in: a record naming the process that asks is never even a candidate)
 * and a dead one whose id, workerId, model and url hold control characters.
 */
async function registryWithControlCharacters(): Promise<{ path: string; workerId: string; model: string }> {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  // C1 controls (U+0080–U+009F) pass the workerId schema; ids, models and urls may hold any character.
  const workerId = "docs\u009b31m";
  const model = "model\u001b[31m";
  const evil = {
    id: "id\u001b[2J",
    workerId,
    fingerprint: { resolvedModel: model, modelPolicy: "dynamic" as const },
    url: "http://198.51.100.9/\u001b]0;pwned\u0007",
  };
  const standIn = startStandInProcess();
  await registry.put({ ...liveRecord(evil), pid: standIn.pid, ...(standIn.start ? { pidStart: standIn.start } : {}) });
  await registry.put(record({ ...evil, id: "dead\u001b[2J" }));
  return { path, workerId, model };
}

test("control characters in a record's workerId, id, model or url are escaped in the text of ls, stats and prune", async () => {
  const { path } = await registryWithControlCharacters();

  const outputs = {
    ls: await run("ls", "--registry", path),
    stats: await run("stats", "--registry", path),
    prune: await run("prune", "--registry", path),
  };

  for (const [command, { code, out, err }] of Object.entries(outputs)) {
    expect({ command, code }).toEqual({ command, code: 0 });
    expect({ command, raw: RAW_CONTROL.exec(out + err)?.[0] }).toEqual({ command, raw: undefined });
  }
  expect(outputs.ls.out).toContain("docs\\x9b31m");
  expect(outputs.ls.out).toContain("model\\x1b[31m");
  expect(outputs.ls.out).toContain("\\x1b]0;pwned\\x07");
  expect(outputs.stats.out).toContain("live by workerId: docs\\x9b31m 1");
  expect(outputs.prune.out).toMatch(/^docs\\x9b31m\s+999999\s+ready/m);
});

test("control characters from the registry are escaped in explain's text, its decision line included", async () => {
  const { path, workerId } = await registryWithControlCharacters();
  // Asked for a plain model (a request refuses control characters); the records carry them.
  const model = "model";

  const explained = await run("explain", workerId, model, "--registry", path, "--policy", "exact");
  const json = await run("explain", workerId, model, "--registry", path, "--policy", "exact", "--json");

  expect(explained.code).toBe(0);
  expect(JSON.parse(json.out).considered).toHaveLength(2);
  expect(explained.out).toContain("\\x1b]0;pwned\\x07");
  // The candidate table is escaped; the first line (the decision's reason) repeats the record's id and url.
  const raw = explained.out.split("\n").filter((line) => RAW_CONTROL.test(line));
  expect(raw.map((line) => JSON.stringify(line))).toEqual([]);
});

test("a registry path below a regular file gets a typed error from every command, and the file is left as it is", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "file"), "not a directory\n", { mode: 0o600 });
  const path = join(dir, "file", "registry");
  const before = snapshotTree(dir);

  const results = await Promise.all(
    [
      ["ls", "--registry", path],
      ["stats", "--registry", path],
      ["explain", "docs", "m", "--registry", path],
      ["prune", "--registry", path],
      ["migrate", "--registry", path, "--from", V1_FIXTURE],
    ].map((argv) => run(...argv).catch((e: unknown) => ({ code: "threw", out: "", err: String(e) }))),
  );

  const lookup = await new DeviceRegistry({ path }).lookup("docs").catch((e: unknown) => e);
  const put = await new DeviceRegistry({ path }).put(record({ id: "a", workerId: "docs" })).catch((e: unknown) => e);

  for (const result of results) {
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining(path) });
  }
  expect(lookup).toBeInstanceOf(NotARegistryError);
  expect(put).toBeInstanceOf(NotARegistryError);
  expect(snapshotTree(dir)).toEqual(before);
});

test("ls, stats and explain change nothing in a registry holding records, claims, locks and unreadable files", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  await pool.settled();
  const registry = new DeviceRegistry({ path });
  await registry.put(record({ id: "dead", workerId: "docs" }));
  const held = await registry.acquireClaim({
    key: "k",
    workerId: "docs",
    owner: { pid: process.pid, host: registry.hostId },
    ttlMs: 60_000,
  });
  await writeFile(join(path, "workers", "docs", "broken.json"), "{ not json", { mode: 0o600 });
  const before = snapshotTree(path);

  const results = [
    await run("ls", "--registry", path),
    await run("ls", "--registry", path, "--json"),
    await run("stats", "--registry", path),
    await run("explain", "docs", "m", "--registry", path, "--policy", "exact"),
    await run("explain", "code", "m", "--registry", path),
  ];

  expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
  expect(results[3]?.out).toMatch(/^would reuse/);
  expect(snapshotTree(path)).toEqual(before);
  expect(held.acquired).toBe(true);
  await lease.release();
});

test.each([["ls"], ["stats"], ["prune"], ["explain", "docs", "m", "--policy", "exact"]])(
  "%s on a registry path that holds a corrupt file exits 1 with a typed error, like every command",
  async (...argv) => {
    const path = await tempRegistryPath();
    await writeFile(path, "{ not json", { mode: 0o600 });

    const { code, err } = await run(...argv, "--registry", path, "--json");

    expect(code).toBe(1);
    expect(JSON.parse(err).error).toMatchObject({ code: "NOT_A_REGISTRY", exitCode: 1 });
  },
);
