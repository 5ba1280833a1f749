import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceRegistry, type PoolWarning, type WorkerBackend, WorkerPool, type WorkerRecord } from "@modelpool/core";
import { SameModelTestPolicy, tempDir, tempRegistryPath, testPool } from "@modelpool/test-utils";
import fc from "fast-check";
import { expect, test, vi } from "vitest";
import { main } from "../../cli/src/main.js";
import { makeFifo, record, unblockFifoAfter } from "./fixtures/registry-files.js";

const V1_FIXTURE = fileURLToPath(new URL("fixtures/registry-v1.json", import.meta.url));
const V1_DOCS_ID = "v1:docs:999999:1764000000000";

/** Everything about a file that a write, a rename, a chmod or a quarantine would change. */
async function fileState(path: string) {
  const stats = await stat(path);
  return {
    bytes: await readFile(path, "utf8"),
    ino: stats.ino,
    mode: stats.mode,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    siblings: (await readdir(join(path, ".."))).sort(),
  };
}

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

/** A modelpool 0.1 (version 2) single file holding these worker entries and a session. */
function v2File(workers: readonly WorkerRecord[]): string {
  const entries = [{ kind: "session", sessionId: "ses_v2", title: "kept" }, ...workers];
  return `{"version":2,"updatedAt":1764000000000,"entries":[\n${entries.map((e) => JSON.stringify(e)).join(",\n")}\n]}\n`;
}

test("a version-1 file is read as candidates: model and modelPolicy become the fingerprint, every v1 field is kept", async () => {
  const legacy = join(await tempDir(), "orchestrator-device-registry.json");
  await copyFile(V1_FIXTURE, legacy);
  const before = await fileState(legacy);
  const registry = new DeviceRegistry({ path: await tempRegistryPath(), legacySources: [legacy] });

  const docs = await registry.lookup("docs");
  const coder = await registry.lookup("coder");
  const broken = await registry.lookup("broken");
  const scan = await registry.scan();

  expect(docs.records).toEqual([
    {
      kind: "worker",
      id: V1_DOCS_ID,
      orchestratorInstanceId: "orch-1",
      hostPid: 4242,
      workerId: "docs",
      pid: 999999,
      url: "http://127.0.0.1:4096",
      port: 4096,
      sessionId: "ses_abc",
      status: "ready",
      startedAt: 1764000000000,
      updatedAt: 1764000000500,
      model: "openai/gpt-5-nano",
      modelPolicy: "sticky",
      fingerprint: { resolvedModel: "openai/gpt-5-nano", modelPolicy: "sticky" },
    },
  ]);
  expect(docs.unreadable).toEqual([]);
  expect(coder.records).toHaveLength(1);
  expect(coder.records[0]).toMatchObject({ workerId: "coder", orchestratorInstanceId: "orch-1", pid: 999998 });
  expect(coder.records[0]?.fingerprint).toBeUndefined();
  expect(broken.records).toEqual([]);
  expect(broken.unreadable).toEqual([{ location: `${legacy} entries[3]`, reason: expect.stringMatching(/pid/) }]);
  expect(scan.records.map((r) => r.workerId).sort()).toEqual(["coder", "docs"]); // the session is not a worker
  expect(scan.unreadable).toHaveLength(1);
  expect(await fileState(legacy)).toEqual(before);
});

test("live workers of a v1 and a v2 file are reused by a pool with a policy, and both files stay byte-identical through getOrSpawn, release, stopAll, prune, explain and migrate", {
  timeout: 60_000,
}, async () => {
  const dir = await tempDir();
  const path = await tempRegistryPath();
  // Two real workers that only the legacy files know about.
  const outside = testPool({ registry: false });
  const w1 = (await outside.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } })).worker;
  const w2 = (await outside.getOrSpawn({ workerId: "code", fingerprint: { resolvedModel: "model-b" } })).worker;
  const v1 = join(dir, "orchestrator-device-registry.json");
  const v2 = join(dir, "registry.json");
  const v1Entry = {
    kind: "worker",
    orchestratorInstanceId: "orch-7",
    hostPid: 4242,
    workerId: "docs",
    pid: w1.pid,
    url: w1.url,
    port: w1.port,
    status: "ready",
    startedAt: w1.startedAt,
    updatedAt: w1.startedAt,
    model: "model-a",
    modelPolicy: "sticky",
  };
  await writeFile(
    v1,
    `${JSON.stringify({ version: 1, updatedAt: 1, entries: [v1Entry, { kind: "session", sessionId: "s" }] }, null, 2)}\n`,
    { mode: 0o600 },
  );
  await writeFile(v2, v2File([{ ...w2, id: "v2-code", extra: { kept: true } } as WorkerRecord]), { mode: 0o600 });
  const before = { v1: await fileState(v1), v2: await fileState(v2) };
  const registry = new DeviceRegistry({ path, legacySources: [v1, v2] });
  const pool = testPool({ registry, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });

  const docs = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
  const code = await pool.getOrSpawn({ workerId: "code", fingerprint: { resolvedModel: "model-b" } });
  await pool.settled();
  await docs.release();
  await code.release();
  const explained = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
  await pool.stopAll();
  await registry.prune();
  const cliExplain = await run(
    "explain",
    "docs",
    "model-a",
    "--registry",
    path,
    "--from",
    v1,
    "--policy",
    "exact",
    "--model-policy",
    "sticky",
  );
  const cliLs = await run("ls", "--registry", path, "--from", v1, "--from", v2, "--json");
  const migrated = await run("migrate", "--registry", path, "--from", v1, "--from", v2);

  expect(docs.decision.outcome).toBe("reused");
  expect(docs.worker).toMatchObject({ pid: w1.pid, id: `v1:docs:${w1.pid}:${w1.startedAt}` });
  expect(docs.worker).toMatchObject({ orchestratorInstanceId: "orch-7", hostPid: 4242, model: "model-a" });
  expect(docs.decision.considered[0]?.source).toBe("registry");
  expect(code.decision.outcome).toBe("reused");
  expect(code.worker).toMatchObject({ pid: w2.pid, id: "v2-code", extra: { kept: true } });
  expect(explained.outcome).toBe("reused");
  expect(cliExplain.out).toMatch(/^would reuse registry worker v1:docs:/);
  expect(
    JSON.parse(cliLs.out)
      .workers.map((w: WorkerRecord) => w.id)
      .sort(),
  ).toEqual([`v1:docs:${w1.pid}:${w1.startedAt}`, "v2-code"].sort());
  expect(migrated.code).toBe(0);
  expect(migrated.out).toMatch(/copied 2 worker records/);
  expect(warnings).toEqual([]);
  expect({ v1: await fileState(v1), v2: await fileState(v2) }).toEqual(before);
  // The workers were not this pool's to stop.
  expect(() => process.kill(w1.pid, 0)).not.toThrow();
  expect(() => process.kill(w2.pid, 0)).not.toThrow();
});

test("migrateLegacy copies every worker into the directory keeping every field, once, and leaves the files as they are", async () => {
  const dir = await tempDir();
  const v1 = join(dir, "orchestrator-device-registry.json");
  await copyFile(V1_FIXTURE, v1);
  const v2Worker = {
    kind: "worker",
    id: "v2-a",
    workerId: "docs",
    pid: 999997,
    status: "ready",
    fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" },
    startedAt: 1,
    updatedAt: 2,
    future: { field: [1, 2] },
  } as WorkerRecord;
  const v2 = join(dir, "registry.json");
  await writeFile(v2, v2File([v2Worker]), { mode: 0o600 });
  const before = { v1: await fileState(v1), v2: await fileState(v2) };
  const path = await tempRegistryPath();
  const migrating = new DeviceRegistry({ path, legacySources: [v1, v2] });
  const shown = (await migrating.scan()).records;

  const first = await migrating.migrateLegacy();
  const second = await migrating.migrateLegacy();
  const own = new DeviceRegistry({ path, legacySources: false });
  const copied = await own.scan();

  expect(first.copied.map((r) => r.id).sort()).toEqual([V1_DOCS_ID, "v1:coder:999998:1764000001000", "v2-a"].sort());
  expect(first.unreadable).toEqual([{ location: `${v1} entries[3]`, reason: expect.stringMatching(/pid/) }]);
  expect(second.copied).toEqual([]);
  expect(second.skipped.map((s) => s.reason)).toEqual([
    "already in this registry",
    "already in this registry",
    "already in this registry",
  ]);
  expect(copied.unreadable).toEqual([]);
  expect(copied.records).toHaveLength(3);
  for (const record of shown) {
    expect(copied.records.find((r) => r.id === record.id)).toEqual({ ...record, host: own.hostId });
  }
  expect(copied.records.find((r) => r.id === "v2-a")).toMatchObject({ future: { field: [1, 2] } });
  expect(copied.records.find((r) => r.id === V1_DOCS_ID)).toMatchObject({
    orchestratorInstanceId: "orch-1",
    hostPid: 4242,
    model: "openai/gpt-5-nano",
    modelPolicy: "sticky",
    sessionId: "ses_abc",
  });
  // Read with its sources again, each worker shows once.
  expect((await migrating.scan()).records).toHaveLength(3);
  expect({ v1: await fileState(v1), v2: await fileState(v2) }).toEqual(before);
});

test("the default legacy sources sit beside the default registry and are read but never touched", async () => {
  const home = await tempDir();
  vi.stubEnv("MODELPOOL_REGISTRY", "");
  vi.stubEnv("XDG_STATE_HOME", join(home, "state"));
  vi.stubEnv("XDG_CONFIG_HOME", join(home, "config"));
  try {
    await mkdir(join(home, "state", "modelpool"), { recursive: true, mode: 0o700 });
    await mkdir(join(home, "config", "opencode"), { recursive: true, mode: 0o700 });
    const v1 = join(home, "config", "opencode", "orchestrator-device-registry.json");
    const v2 = join(home, "state", "modelpool", "registry.json");
    await copyFile(V1_FIXTURE, v1);
    await writeFile(v2, v2File([record({ id: "b", workerId: "docs" })]), { mode: 0o600 });
    const before = { v1: await fileState(v1), v2: await fileState(v2) };
    const registry = new DeviceRegistry();

    const read = await registry.lookup("docs");
    await registry.put(record({ id: "c", workerId: "docs" }));
    const migrated = await run("migrate");

    expect(registry.path).toBe(join(home, "state", "modelpool", "registry"));
    expect(read.records.map((r) => r.id).sort()).toEqual([V1_DOCS_ID, "b"].sort());
    expect(migrated.code).toBe(0);
    expect(migrated.out).toContain(v1);
    expect(migrated.out).toContain(v2);
    expect((await new DeviceRegistry({ legacySources: false }).list()).map((r) => r.id).sort()).toEqual(
      [V1_DOCS_ID, "v1:coder:999998:1764000001000", "b", "c"].sort(),
    );
    expect({ v1: await fileState(v1), v2: await fileState(v2) }).toEqual({
      v1: before.v1,
      // The registry directory was created beside it: only the listing of its parent changed.
      v2: { ...before.v2, siblings: ["registry", "registry.json"] },
    });
  } finally {
    vi.unstubAllEnvs();
  }
});

test.each([
  ["not JSON", "{ not json"],
  ["an unknown version", JSON.stringify({ version: 7, entries: [] })],
  ["without entries", JSON.stringify({ version: 2, workers: [] })],
  ["nested too deep", `{"version":2,"entries":${"[".repeat(100)}${"]".repeat(100)}}`],
])(
  "a legacy file that is %s is reported, never moved or rewritten, and the registry's own records still count",
  async (_kind, bytes) => {
    const dir = await tempDir();
    const legacy = join(dir, "registry.json");
    await writeFile(legacy, bytes, { mode: 0o600 });
    const before = await fileState(legacy);
    const registry = new DeviceRegistry({ path: join(dir, "registry"), legacySources: [legacy] });
    const own = await registry.put({
      kind: "worker",
      id: "own",
      workerId: "docs",
      pid: 999_999,
      status: "ready",
      startedAt: 1,
      updatedAt: 1,
    });

    const read = await registry.lookup("docs");
    const migrated = await registry.migrateLegacy();
    await registry.prune();

    expect(read.records).toEqual([own]);
    expect(read.unreadable).toEqual([
      { location: legacy, reason: expect.stringMatching(/^legacy registry file not read: /) },
    ]);
    expect(migrated.copied).toEqual([]);
    expect(migrated.unreadable).toHaveLength(1);
    expect(await fileState(legacy)).toEqual({ ...before, siblings: ["registry", "registry.json"] });
  },
);

test("a legacy source that is a FIFO is reported at once, never opened the blocking way", async () => {
  const dir = await tempDir();
  const legacy = join(dir, "registry.json");
  makeFifo(legacy);
  unblockFifoAfter(legacy, 8_000);
  const started = performance.now();

  const read = await new DeviceRegistry({ path: join(dir, "registry"), legacySources: [legacy] }).lookup("docs");

  expect(performance.now() - started).toBeLessThan(5_000);
  expect(read).toEqual({
    records: [],
    unreadable: [{ location: legacy, reason: expect.stringMatching(/not a regular file/) }],
  });
  expect(await readdir(dir)).toEqual(["registry.json"]);
});

test("migrate never overwrites an unreadable record of the registry that has a legacy record's id", async () => {
  const dir = await tempDir();
  const v1 = join(dir, "orchestrator-device-registry.json");
  await copyFile(V1_FIXTURE, v1);
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: [v1] });
  await registry.migrateLegacy();
  // The migrated copy of the docs worker gets damaged: it is kept as it is for a person to look at.
  const [name] = await readdir(join(path, "workers", "docs"));
  const file = join(path, "workers", "docs", name as string);
  await writeFile(file, "{ damaged", { mode: 0o600 });
  expect((await registry.lookup("docs")).unreadable).toEqual([{ location: file, reason: expect.any(String) }]);

  const again = await registry.migrateLegacy();

  expect(await readFile(file, "utf8")).toBe("{ damaged");
  expect(again.copied.map((r) => r.id)).not.toContain(V1_DOCS_ID);
});

const NEVER_SPAWNS: WorkerBackend = { name: "never", spawn: () => Promise.reject(new Error("not in this test")) };

test("after any sequence of registry, pool and CLI operations, the v1 and v2 files are byte-identical and untouched", {
  timeout: 120_000,
}, async () => {
  const legacyDir = await tempDir();
  const v1 = join(legacyDir, "orchestrator-device-registry.json");
  const v2 = join(legacyDir, "registry.json");
  await copyFile(V1_FIXTURE, v1);
  await writeFile(v2, v2File([record({ id: "v2-a", workerId: "docs" }), record({ id: "v2-b", workerId: "code" })]), {
    mode: 0o600,
  });
  const before = { v1: await fileState(v1), v2: await fileState(v2) };
  const path = await tempRegistryPath();
  const legacyRef = { workerId: "docs", id: V1_DOCS_ID };
  let n = 0;
  const operations: Record<string, (registry: DeviceRegistry) => Promise<unknown>> = {
    lookup: (registry) => registry.lookup("docs"),
    scan: (registry) => registry.scan(),
    put: (registry) => registry.put(record({ id: `own-${n++}`, workerId: "docs" })),
    "put over a legacy id": (registry) => registry.put(record({ id: "v2-a", workerId: "docs" })),
    "update a legacy record": (registry) =>
      registry.update(legacyRef, (current) => ({ ...current, updatedAt: current.updatedAt + 1 })),
    "remove a legacy record": (registry) => registry.remove(legacyRef),
    "remove by legacy id": (registry) => registry.remove("v2-b"),
    prune: (registry) => registry.prune(),
    migrate: (registry) => registry.migrateLegacy(),
    claim: async (registry) => {
      const attempt = await registry.acquireClaim({
        key: "k",
        workerId: "docs",
        owner: { pid: process.pid, host: registry.hostId },
        ttlMs: 1_000,
      });
      if (attempt.acquired) await registry.releaseClaim(attempt.claim);
    },
    explain: (registry) =>
      new WorkerPool({ backend: NEVER_SPAWNS, registry, plugins: [new SameModelTestPolicy()] }).explain({
        workerId: "docs",
        fingerprint: { resolvedModel: "openai/gpt-5-nano" },
      }),
    "getOrSpawn (refused)": async (registry) => {
      const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry, plugins: [new SameModelTestPolicy()] });
      pool.hooks.warning.tap("test", () => undefined);
      await pool.getOrSpawn({ workerId: "code", fingerprint: { resolvedModel: "m" } }).catch(() => undefined);
      await pool.stopAll();
    },
    "cli ls": () => run("ls", "--registry", path, "--from", v1, "--from", v2),
    "cli prune": () => run("prune", "--registry", path, "--from", v1, "--from", v2),
    "cli migrate": () => run("migrate", "--registry", path, "--from", v1, "--from", v2),
    "cli explain": () => run("explain", "docs", "m", "--registry", path, "--from", v1, "--policy", "exact"),
  };

  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom(...Object.keys(operations)), { minLength: 1, maxLength: 10 }),
      async (names) => {
        const registry = new DeviceRegistry({ path, legacySources: [v1, v2] });
        for (const name of names) await (operations[name] as (registry: DeviceRegistry) => Promise<unknown>)(registry);
        expect({ v1: await fileState(v1), v2: await fileState(v2) }).toEqual(before);
      },
    ),
    { numRuns: 60 },
  );
});
