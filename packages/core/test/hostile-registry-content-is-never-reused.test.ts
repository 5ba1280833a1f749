import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DeviceRegistry,
  isModelpoolError,
  NotARegistryError,
  type PoolWarning,
  processIdentityOf,
  type WorkerBackend,
  WorkerPool,
} from "@modelpool/core";
import { SameModelTestPolicy, startStandInProcess, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import {
  liveRecord,
  makeFifo,
  recordFile,
  snapshotTree,
  unblockFifoAfter,
  workerDirectory,
} from "./fixtures/registry-files.js";

const NEVER_SPAWNS: WorkerBackend = { name: "never", spawn: () => Promise.reject(new Error("not in this test")) };
const me = processIdentityOf(process.pid);
/** Reads of a few dozen small files take milliseconds; this leaves a shared, slow machine a wide margin. */
const BOUNDED_MS = 5_000;
/** A FIFO opened the blocking way is freed this late, so that such a read fails the time check instead of hanging. */
const FIFO_RESCUE_MS = 8_000;

/** A live process of another user: as root we start one as `nobody`; otherwise pid 1 belongs to root. */
function otherUsersProcess(): { pid: number; start?: string } {
  return process.getuid?.() === 0 ? startStandInProcess({ asNobody: true }) : processIdentityOf(1);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

test("hostile record files and entries are reported or denied within a bounded time, never followed, never reused, never changed", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const outside = await tempDir();
  const stranger = otherUsersProcess();
  const registry = new DeviceRegistry({ path });
  const fingerprint = { resolvedModel: "m", modelPolicy: "dynamic" as const };
  const base = {
    kind: "worker",
    workerId: "docs",
    status: "ready",
    fingerprint,
    startedAt: Date.now(),
    updatedAt: Date.now(),
  };
  // Readable records the pool must still deny.
  // A live process other than this one stands in for their worker (a record naming this process is never
  // even a candidate): the pool must deny them for their URLs.
  const standIn = startStandInProcess();
  const standInFields = { pid: standIn.pid, ...(standIn.start ? { pidStart: standIn.start } : {}) };
  await registry.put({
    ...liveRecord({ id: "remote", workerId: "docs", url: "http://198.51.100.9:4096" }),
    ...standInFields,
  });
  await registry.put({
    ...liveRecord({ id: "userinfo", workerId: "docs", url: "http://127.0.0.1@evil.example:80" }),
    ...standInFields,
  });
  await registry.put({
    ...liveRecord({ id: "stranger", workerId: "docs" }),
    pid: stranger.pid,
    ...(stranger.start ? { pidStart: stranger.start } : {}),
  });
  const files: Record<string, string> = {
    proto: JSON.stringify({
      ...base,
      id: "proto",
      pid: me.pid,
      pidStart: me.start,
      fingerprint: { ...fingerprint, attributes: JSON.parse('{"__proto__":{"polluted":true}}') },
    }),
    huge: JSON.stringify({ ...base, id: "huge", pid: me.pid, pidStart: me.start, lastError: "e".repeat(2_000_000) }),
    negative: JSON.stringify({ ...base, id: "negative", pid: -1 }),
    float: JSON.stringify({ ...base, id: "float", pid: 1.5 }),
    zero: JSON.stringify({ ...base, id: "zero", pid: 0 }),
    string: JSON.stringify({ ...base, id: "string", pid: "1; rm -rf /" }),
    "huge-pid": JSON.stringify({ ...base, id: "huge-pid", pid: 2 ** 53 }),
    // A top-level __proto__ key cannot be written with an object literal: spliced into the JSON text.
    "proto-top": JSON.stringify({ ...base, id: "proto-top", pid: me.pid, pidStart: me.start }).replace(
      /^\{/,
      '{"__proto__":{"reuse":true},',
    ),
    "ten-megabytes": `{"pad":"${"x".repeat(10 * 1024 * 1024)}"}`,
    deep: `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  };
  for (const [id, text] of Object.entries(files)) await writeFile(recordFile(path, "docs", id), text, { mode: 0o600 });
  const docs = workerDirectory(path, "docs");
  makeFifo(join(docs, "fifo.json"));
  unblockFifoAfter(join(docs, "fifo.json"), FIFO_RESCUE_MS);
  await mkdir(join(docs, "directory.json"), { mode: 0o700 });
  // Live records outside the registry: were a link followed, they would be candidates.
  const outsideRecord = join(outside, "live.json");
  await writeFile(outsideRecord, JSON.stringify(liveRecord({ id: "outside", workerId: "docs" })), { mode: 0o600 });
  await symlink(outsideRecord, join(docs, "outside.json"));
  await mkdir(join(outside, "linked"), { mode: 0o700 });
  await writeFile(
    join(outside, "linked", "outside.json"),
    JSON.stringify(liveRecord({ id: "outside", workerId: "linked" })),
    { mode: 0o600 },
  );
  await symlink(join(outside, "linked"), workerDirectory(path, "linked"));
  const unreadableIds = [...Object.keys(files), "fifo", "directory", "outside"];
  const before = { registry: snapshotTree(path), outside: snapshotTree(outside) };

  const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry: path, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });
  const lookup = await timed(() => new DeviceRegistry({ path }).lookup("docs"));
  const linked = await timed(() => new DeviceRegistry({ path }).lookup("linked"));
  const scan = await timed(() => new DeviceRegistry({ path }).scan());
  const explained = await timed(() => pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" } }));
  const after = { registry: snapshotTree(path), outside: snapshotTree(outside) };
  const failure = await pool
    .getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } })
    .catch((e: unknown) => e);

  for (const { ms } of [lookup, linked, scan, explained]) expect(ms).toBeLessThan(BOUNDED_MS);
  expect(after).toEqual(before);
  expect(lookup.value.records.map((r) => r.id).sort()).toEqual(["remote", "stranger", "userinfo"]);
  expect(lookup.value.unreadable.map((u) => u.location).sort()).toEqual(
    unreadableIds.map((id) => join(docs, `${id}.json`)).sort(),
  );
  const reasons = Object.fromEntries(lookup.value.unreadable.map((u) => [u.location.slice(docs.length + 1), u.reason]));
  expect(reasons).toMatchObject({
    "proto.json": expect.stringMatching(/__proto__: a prototype key/),
    "proto-top.json": expect.stringMatching(/__proto__: a prototype key/),
    "huge.json": expect.stringMatching(/bytes, more than the 262144/),
    "ten-megabytes.json": expect.stringMatching(/bytes, more than the 262144/),
    "deep.json": expect.stringMatching(/nested deeper than 32/),
    "fifo.json": expect.stringMatching(/not a regular file/),
    "directory.json": expect.stringMatching(/not a regular file/),
    "outside.json": expect.stringMatching(/not a regular file|symbolic link/),
    "negative.json": expect.stringMatching(/pid/),
  });
  expect(linked.value).toEqual({
    records: [],
    unreadable: [{ location: workerDirectory(path, "linked"), reason: expect.stringMatching(/never followed/) }],
  });
  expect(scan.value.records.map((r) => r.id).sort()).toEqual(["remote", "stranger", "userinfo"]);
  expect(scan.value.unreadable.map((u) => u.location)).toContain(workerDirectory(path, "linked"));
  expect(scan.value.unreadable).toHaveLength(unreadableIds.length + 1);

  const decision = explained.value;
  expect(decision.outcome).toBe("spawned");
  expect(decision.considered.filter((c) => c.verdict.reuse)).toEqual([]);
  const denied = Object.fromEntries(decision.considered.map((c) => [c.candidate.id, c.verdict.reason]));
  expect(Object.keys(denied).sort()).toEqual(["remote", "stranger", "userinfo"]);
  expect(denied.remote).toMatch(/not on this machine/);
  expect(denied.userinfo).toMatch(/not on this machine/);
  expect(denied.stranger).toMatch(/another user/);
  const unreadable = warnings.filter((w) => w.code === "REGISTRY_ENTRIES_UNREADABLE");
  expect(unreadable).toHaveLength(1);
  expect(unreadable[0]?.message).toMatch(new RegExp(`^${unreadableIds.length} records `));
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  expect(({} as { reuse?: boolean }).reuse).toBeUndefined();
  // Spawning is all that was left, and this backend refuses: a typed error, nothing else.
  expect(isModelpoolError(failure)).toBe(true);
  expect(snapshotTree(join(path, "workers"))).toEqual(
    Object.fromEntries(
      Object.entries(before.registry)
        .filter(([name]) => name === "workers" || name.startsWith("workers/"))
        .map(([name, entry]) => [name === "workers" ? "." : name.slice("workers/".length), entry]),
    ),
  );
  expect(snapshotTree(outside)).toEqual(before.outside);
});

test("a registry whose workers directory is a symlink is not a registry, and the link is never followed", async () => {
  const path = await tempRegistryPath();
  const outside = await tempDir();
  await new DeviceRegistry({ path }).put(liveRecord({ id: "a", workerId: "docs" }));
  await mkdir(join(outside, "docs"), { mode: 0o700 });
  await writeFile(join(outside, "docs", "b.json"), JSON.stringify(liveRecord({ id: "b", workerId: "docs" })), {
    mode: 0o600,
  });
  const { rename } = await import("node:fs/promises");
  await rename(join(path, "workers"), join(outside, "real-workers"));
  await symlink(outside, join(path, "workers"));
  const before = { registry: snapshotTree(path), outside: snapshotTree(outside) };

  const lookup = await new DeviceRegistry({ path }).lookup("docs").catch((e: unknown) => e);
  const put = await new DeviceRegistry({ path })
    .put(liveRecord({ id: "c", workerId: "docs" }))
    .catch((e: unknown) => e);

  expect(lookup).toBeInstanceOf(NotARegistryError);
  expect(lookup).toMatchObject({
    code: "NOT_A_REGISTRY",
    message: expect.stringMatching(/workers is a symbolic link/),
  });
  expect(put).toBeInstanceOf(NotARegistryError);
  expect({ registry: snapshotTree(path), outside: snapshotTree(outside) }).toEqual(before);
});

test("writes never follow a symlinked workerId directory out of the registry", async () => {
  const path = await tempRegistryPath();
  const outside = await tempDir();
  const registry = new DeviceRegistry({ path });
  await registry.put(liveRecord({ id: "a", workerId: "docs" }));
  await mkdir(join(outside, "linked"), { mode: 0o700 });
  await writeFile(
    join(outside, "linked", "outside.json"),
    `${JSON.stringify(liveRecord({ id: "outside", workerId: "linked" }))}\n`,
    { mode: 0o600 },
  );
  await symlink(join(outside, "linked"), workerDirectory(path, "linked"));
  const before = snapshotTree(outside);

  const put = await registry.put(liveRecord({ id: "new", workerId: "linked" })).catch((e: unknown) => e);
  const updated = await registry
    .update({ workerId: "linked", id: "outside" }, (current) => ({ ...current, updatedAt: 1 }))
    .catch((e: unknown) => e);
  const removed = await registry.remove({ workerId: "linked", id: "outside" }).catch((e: unknown) => e);

  // Whatever each call answers (a typed error, undefined, false), nothing outside the registry was read or written:
  // not created by put, not rewritten by update, not deleted by remove.
  expect(snapshotTree(outside)).toEqual(before);
  for (const answer of [put, updated, removed]) {
    if (answer instanceof Error) expect(isModelpoolError(answer), String(answer)).toBe(true);
  }
  expect(updated).not.toMatchObject({ id: "outside" });
  expect(removed).not.toBe(true);
});

test("spawn claims never follow a symlinked claim directory out of the registry", async () => {
  const path = await tempRegistryPath();
  const outside = await tempDir();
  const registry = new DeviceRegistry({ path });
  const owner = { pid: me.pid, ...(me.start ? { start: me.start } : {}), host: registry.hostId };
  // Make the registry and learn the claim directory of key "k" (a hash), then replace it with a link out.
  const first = await registry.acquireClaim({ key: "k", workerId: "docs", owner, ttlMs: 60_000 });
  if (first.acquired) await registry.releaseClaim(first.claim);
  const { readdir, rm } = await import("node:fs/promises");
  const [hash] = await readdir(join(path, "claims"));
  await rm(join(path, "claims", hash as string), { recursive: true });
  await symlink(outside, join(path, "claims", hash as string));
  const before = snapshotTree(outside);

  const attempt = await registry
    .acquireClaim({ key: "k", workerId: "docs", owner, ttlMs: 60_000 })
    .catch((e: unknown) => e);

  if (attempt instanceof Error) expect(isModelpoolError(attempt), String(attempt)).toBe(true);
  expect(snapshotTree(outside)).toEqual(before);
});
