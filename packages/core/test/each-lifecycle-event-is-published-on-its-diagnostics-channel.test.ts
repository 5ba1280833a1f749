import diagnosticsChannel from "node:diagnostics_channel";
import { type ChannelName, channelName, channels, PoolEventName } from "@modelpool/core";
import {
  isRunning,
  modelWorkerBackend,
  SameModelTestPolicy,
  tempRegistryPath,
  testPool,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { recordEvents } from "./fixtures/event-recorder.js";

/** Subscribes to every modelpool channel for the length of the test; what was published, in order. */
function subscribeAll(): { name: ChannelName; message: unknown }[] {
  const seen: { name: ChannelName; message: unknown }[] = [];
  for (const name of [...PoolEventName, "decided", "warning"] as const) {
    const listener = (message: unknown) => void seen.push({ name, message });
    diagnosticsChannel.subscribe(channelName(name), listener);
    onTestFinished(() => void diagnosticsChannel.unsubscribe(channelName(name), listener));
  }
  return seen;
}

test("every lifecycle event is published once on modelpool:<event>, the same object its hook gets", async () => {
  const pool = testPool({
    registry: await tempRegistryPath(),
    plugins: [new SameModelTestPolicy()],
    onSuperseded: "drain",
    maxWorkers: 2,
  });
  const failing = testPool({ backend: modelWorkerBackend({ env: { WORKER_MODE: "crash" } }), registry: false });
  const seenByPool = recordEvents(pool);
  const seenByFailing = recordEvents(failing);
  const published = subscribeAll();

  // A tour that fires every event: spawn, supersede and drain, evict, a crash found, a failed spawn, a stop.
  const a = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
  const b = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-b" } });
  await a.release();
  await waitUntil(() => seenByPool.some((entry) => entry.name === "drained"));
  await b.release();
  await (await pool.getOrSpawn({ workerId: "other", fingerprint: { resolvedModel: "m" } })).release();
  await pool.getOrSpawn({ workerId: "third", fingerprint: { resolvedModel: "m" } }); // evicts b, the least recently used
  const other = pool.workers.find((worker) => worker.workerId === "other");
  process.kill(other?.pid as number, "SIGKILL");
  await waitUntil(() => !isRunning(other?.pid as number));
  await pool.getOrSpawn({ workerId: "other", fingerprint: { resolvedModel: "m" } }); // finds it exited
  await failing.getOrSpawn({ workerId: "broken", fingerprint: { resolvedModel: "m" } }).catch(() => undefined);
  await pool.stop("third");

  const hooked = [...seenByPool, ...seenByFailing];
  const lifecycle = published.filter((entry) => entry.name !== "decided" && entry.name !== "warning");
  expect(new Set(lifecycle.map((entry) => entry.name))).toEqual(new Set(PoolEventName));
  for (const name of PoolEventName) {
    const onChannel = lifecycle.filter((entry) => entry.name === name).map((entry) => entry.message);
    const onHook = hooked.filter((entry) => entry.name === name).map((entry) => entry.event);
    expect(onChannel.length, name).toBe(onHook.length);
    for (const [i, message] of onChannel.entries()) expect(message, name).toBe(onHook[i]);
  }
  const decided = published.filter((entry) => entry.name === "decided").map((entry) => entry.message);
  expect(decided.slice(0, 2)).toEqual([a.decision, b.decision]);
});

test("channels are declared once, named modelpool:<event>, and idle while nobody subscribes", () => {
  for (const name of [...PoolEventName, "decided", "warning"] as const) {
    expect(channels[name]).toBe(diagnosticsChannel.channel(`modelpool:${name}`));
    expect(channels[name].hasSubscribers).toBe(false);
  }
  expect(Object.isFrozen(channels)).toBe(true);
});
