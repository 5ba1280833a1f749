import { SpawnError } from "@modelpool/core";
import {
  isRunning,
  modelWorkerBackend,
  SameModelTestPolicy,
  tempRegistryPath,
  testPool,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { eventsNamed, recordEvents } from "./fixtures/event-recorder.js";

const request = (resolvedModel = "model-a", workerId = "docs") => ({ workerId, fingerprint: { resolvedModel } });

test("spawnStarted, spawnReady, leased and released fire once each, in that order, with the record and timings", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const seen = recordEvents(pool);

  const lease = await pool.getOrSpawn(request());
  await lease.release();

  expect(seen.map((entry) => entry.name)).toEqual(["spawnStarted", "spawnReady", "leased", "released"]);
  const [started] = eventsNamed(seen, "spawnStarted");
  const [ready] = eventsNamed(seen, "spawnReady");
  const [leased] = eventsNamed(seen, "leased");
  const [released] = eventsNamed(seen, "released");
  expect(started).toMatchObject({ code: "SPAWN_STARTED", workerId: "docs", id: lease.worker.id });
  expect(started?.fingerprint.resolvedModel).toBe("model-a");
  expect(ready).toMatchObject({ code: "SPAWN_READY", workerId: "docs", id: lease.worker.id });
  expect(ready?.record.pid).toBe(lease.worker.pid);
  expect(ready?.durationMs).toBeGreaterThan(0);
  expect(leased).toMatchObject({ code: "LEASED", id: lease.worker.id });
  expect(leased?.decision.code).toBe("SPAWNED_NO_CANDIDATE");
  expect(released).toMatchObject({ code: "RELEASED", id: lease.worker.id });
  expect(released?.heldMs).toBeGreaterThanOrEqual(0);
  for (const { event } of seen) {
    expect(Object.isFrozen(event)).toBe(true);
    expect(event.at).toBeGreaterThanOrEqual(lease.worker.startedAt);
  }
});

test("a reused worker fires leased and released only", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  await (await pool.getOrSpawn(request())).release();
  const seen = recordEvents(pool);

  const lease = await pool.getOrSpawn(request());
  await lease.release();

  expect(seen.map((entry) => entry.name)).toEqual(["leased", "released"]);
  expect(eventsNamed(seen, "leased")[0]?.decision.code).toBe("REUSED");
});

test("spawnFailed fires once with the error's code, the error and the time it took", async () => {
  const pool = testPool({
    backend: modelWorkerBackend({ env: { WORKER_MODE: "crash" } }),
    registry: await tempRegistryPath(),
  });
  const seen = recordEvents(pool);

  const error = await pool.getOrSpawn(request("broken")).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(SpawnError);
  expect(seen.map((entry) => entry.name)).toEqual(["spawnStarted", "spawnFailed"]);
  const [failed] = eventsNamed(seen, "spawnFailed");
  expect(failed).toMatchObject({ code: "SPAWN_FAILED", workerId: "docs", error });
  expect(failed?.id).toBe(eventsNamed(seen, "spawnStarted")[0]?.id);
  expect(failed?.durationMs).toBeGreaterThan(0);
});

test("stopped fires once per worker with its cause, code and timings", async () => {
  const pool = testPool({ registry: await tempRegistryPath() });
  const lease = await pool.getOrSpawn(request());
  await lease.release();
  const seen = recordEvents(pool);

  await pool.stop("docs");

  expect(seen.map((entry) => entry.name)).toEqual(["stopped"]);
  const [stopped] = eventsNamed(seen, "stopped");
  expect(stopped).toMatchObject({ code: "STOPPED_MANUAL", cause: "manual", id: lease.worker.id });
  expect(stopped?.record.pid).toBe(lease.worker.pid);
  expect(stopped?.uptimeMs).toBeGreaterThan(0);
  expect(stopped?.durationMs).toBeGreaterThanOrEqual(0);
  expect(isRunning(lease.worker.pid)).toBe(false);
});

test("exited fires once when a worker's process is found gone without the pool stopping it", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const first = await pool.getOrSpawn(request());
  await first.release();
  const seen = recordEvents(pool);
  process.kill(first.worker.pid, "SIGKILL");
  await waitUntil(() => !isRunning(first.worker.pid));

  const second = await pool.getOrSpawn(request());

  expect(seen.map((entry) => entry.name)).toEqual(["exited", "spawnStarted", "spawnReady", "leased"]);
  const [exited] = eventsNamed(seen, "exited");
  expect(exited).toMatchObject({ code: "PROCESS_GONE", id: first.worker.id, workerId: "docs" });
  expect(exited?.reason.length).toBeGreaterThan(0);
  expect(second.worker.id).not.toBe(first.worker.id);
});

test("evicted fires once, after its stopped, when an idle worker makes room at maxWorkers", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), maxWorkers: 1 });
  const a = await pool.getOrSpawn(request("model-a", "a"));
  await a.release();
  const seen = recordEvents(pool);

  await pool.getOrSpawn(request("model-b", "b"));

  const names = seen.map((entry) => entry.name);
  expect(names).toEqual(["stopped", "evicted", "spawnStarted", "spawnReady", "leased"]);
  expect(eventsNamed(seen, "stopped")[0]).toMatchObject({
    code: "STOPPED_CAPACITY",
    cause: "capacity",
    id: a.worker.id,
  });
  expect(eventsNamed(seen, "evicted")[0]).toMatchObject({ code: "EVICTED", scope: "pool", id: a.worker.id });
});

test("superseded fires once with onSuperseded's action; drained and stopped once its last lease is released", async () => {
  const pool = testPool({
    registry: await tempRegistryPath(),
    plugins: [new SameModelTestPolicy()],
    onSuperseded: "drain",
  });
  const old = await pool.getOrSpawn(request("model-a"));
  const seen = recordEvents(pool);

  await pool.getOrSpawn(request("model-b"));
  await pool.settled();
  expect(eventsNamed(seen, "superseded")).toHaveLength(1);
  expect(eventsNamed(seen, "superseded")[0]).toMatchObject({
    code: "SUPERSEDED",
    id: old.worker.id,
    action: "drain",
    by: "SameModelTestPolicy",
    reason: "model differs: running model-a",
  });
  expect(eventsNamed(seen, "drained")).toHaveLength(0);

  await old.release();
  await waitUntil(() => eventsNamed(seen, "drained").length > 0);

  const names = seen.map((entry) => entry.name);
  expect(names.slice(names.indexOf("superseded"))).toEqual(["superseded", "released", "stopped", "drained"]);
  expect(eventsNamed(seen, "stopped")[0]).toMatchObject({ cause: "superseded", id: old.worker.id });
  expect(eventsNamed(seen, "drained")[0]).toMatchObject({ code: "DRAINED", id: old.worker.id });
  expect(isRunning(old.worker.pid)).toBe(false);
});

test("a request that finds no room at capacity fires no spawn event: spawnFailed always follows its spawnStarted", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), maxWorkers: 1, capacityTimeoutMs: 200 });
  await pool.getOrSpawn(request("model-a", "a")); // held: no room for another
  const seen = recordEvents(pool);

  const error = await pool.getOrSpawn(request("model-b", "b")).catch((e: unknown) => e);

  expect(error).toMatchObject({ code: "CAPACITY_EXHAUSTED" });
  expect(seen.map((entry) => entry.name)).toEqual([]);
});
