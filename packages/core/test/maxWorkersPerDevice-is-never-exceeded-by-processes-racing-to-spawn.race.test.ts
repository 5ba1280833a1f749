import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DeviceRegistry } from "@modelpool/core";
import {
  isRunning,
  raceTest,
  sampleRunningWorkers,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { race, type Store, startRacer } from "./fixtures/capacity-racers.js";

const LIMIT = 2;

async function deviceStore(): Promise<Store> {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  return {
    opener: new URL("./fixtures/open-device-registry.ts", import.meta.url),
    spec: path,
    hostId: new DeviceRegistry({ path }).hostId,
  };
}

raceTest(
  `5 OS processes asking at once for workers of different models under maxWorkersPerDevice ${LIMIT} never run more than ${LIMIT} worker processes, and every request is served as room frees up`,
  {
    perRunMs: 40_000,
    defaultRuns: 1,
  },
  async () => {
    const store = await deviceStore();
    const prefix = `race-${randomUUID()}`;
    const sampler = sampleRunningWorkers(prefix);

    const { codes, stderr, answers } = await race(store, { count: 5, perRacer: 1, prefix, limit: LIMIT, holdMs: 200 });
    const { samples, worst } = await sampler.stop();

    expect(codes, stderr).toEqual(Array(5).fill(0));
    expect(answers.filter((answer) => answer.step === "failed")).toEqual([]);
    expect(answers).toHaveLength(5);
    expect(samples).toBeGreaterThan(0); // how many is reported: load lowers it
    expect(worst, "worker processes running at once at the worst moment").toHaveLength(LIMIT);
    return { samples, "workers at once at worst": worst.length };
  },
);

test("a process SIGKILLed while it holds room for a spawn, before its worker exists, gives that room back at once: a process waiting for room spawns long before the room would expire", {
  timeout: 120_000,
}, async () => {
  const store = await deviceStore();
  const prefix = `killed-${randomUUID()}`;
  const sampler = sampleRunningWorkers(prefix);
  const options = { maxWorkersPerDevice: LIMIT, capacityTimeoutMs: 10_000 }; // under the 15 s a slot lives unrenewed

  const holder = startRacer(store, {
    ...options,
    requests: [{ workerId: "held", model: `${prefix}-held` }],
    holdMs: 120_000,
  });
  expect(await holder.firstAnswer(30_000)).toMatchObject({ step: "leased" });
  const reserver = startRacer(store, {
    ...options,
    requests: [{ workerId: "killed", model: `${prefix}-killed` }],
    preSpawnDelayMs: 120_000,
  });
  await reserver.out.line('{"step":"spawning"'); // it holds the device's second place; no worker of it runs
  const waiter = startRacer(store, { ...options, requests: [{ workerId: "waiting", model: `${prefix}-waiting` }] });
  await waiter.out.line('{"step":"ready"');

  // The device is full (one worker leased, one spawn reserved): the waiter waits, whichever process reserved.
  await sleep(2_000);
  expect(waiter.answers()).toEqual([]);
  reserver.child.kill("SIGKILL");
  // A slot of this host is freed by its holder's death, never by its age: the waiter's answer at all is
  // the proof (how soon it comes on a loaded machine is the machine's).
  const answer = await waiter.firstAnswer(120_000);
  const { worst } = await sampler.stop();

  expect(answer, waiter.out.stderr()).toMatchObject({ step: "leased", workerId: "waiting" });
  expect(isRunning(answer.pid as number)).toBe(true);
  expect(worst.length).toBeLessThanOrEqual(LIMIT);
});
