import diagnosticsChannel from "node:diagnostics_channel";
import { type ChannelName, channelName, channels, PoolEventName } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool, waitUntil } from "@modelpool/test-utils";
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
  const hooked = recordEvents(pool);
  const published = subscribeAll();

  const a = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
  const b = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-b" } });
  await a.release();
  await waitUntil(() => hooked.some((entry) => entry.name === "drained"));
  await b.release();
  await pool.stop("docs");

  const lifecycle = published.filter((entry) => entry.name !== "decided" && entry.name !== "warning");
  expect(lifecycle.map((entry) => entry.name)).toEqual(hooked.map((entry) => entry.name));
  for (const [i, entry] of lifecycle.entries()) expect(entry.message).toBe(hooked[i]?.event);
  for (const name of ["spawnStarted", "spawnReady", "leased", "released", "stopped", "drained", "superseded"]) {
    expect(lifecycle.map((entry) => entry.name)).toContain(name);
  }
  const decided = published.filter((entry) => entry.name === "decided").map((entry) => entry.message);
  expect(decided).toEqual([a.decision, b.decision]);
});

test("channels are declared once, named modelpool:<event>, and idle while nobody subscribes", () => {
  for (const name of [...PoolEventName, "decided", "warning"] as const) {
    expect(channels[name]).toBe(diagnosticsChannel.channel(`modelpool:${name}`));
    expect(channels[name].hasSubscribers).toBe(false);
  }
  expect(Object.isFrozen(channels)).toBe(true);
});
