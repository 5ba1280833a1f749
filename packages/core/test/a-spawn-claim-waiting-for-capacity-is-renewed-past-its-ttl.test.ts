import { stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { startRequester } from "./fixtures/requester.js";

test("a process waiting for capacity longer than a claim's lifetime keeps its spawn claim: a second process asking for the same model shares its spawn", {
  timeout: 90_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const options = { maxWorkersPerDevice: 1, capacityTimeoutMs: 40_000 };
  const holder = await startRequester(path, options);
  const first = await holder.ask("docs", "model-a"); // the device is full while this lease is held
  const waiter = await startRequester(path, options);
  const latecomer = await startRequester(path, options);

  const waiting = waiter.ask("docs", "model-b"); // claims model-b's spawn, then waits for room
  await new Promise((resolve) => setTimeout(resolve, 17_000)); // past the 15 s a claim lives unrenewed
  const late = latecomer.ask("docs", "model-b");
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await holder.release(); // room: model-a's idle worker is evicted

  const [b, c] = await Promise.all([waiting, late]);
  expect(first.outcome).toBe("spawned");
  expect(b).toMatchObject({ step: "leased", outcome: "spawned" });
  expect(c).toMatchObject({ step: "leased", pid: b.pid });
  await Promise.all([holder.exit(), waiter.exit(), latecomer.exit()]);
});
