import { runNodeScript, stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const HOUR = 3_600_000;

async function runningAfterStep(ttlMs: number, stepMs: number, waitMs: number): Promise<boolean> {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const { stdout } = await runNodeScript(new URL("./fixtures/clock-step.ts", import.meta.url), [
    path,
    String(ttlMs),
    String(stepMs),
    String(waitMs),
  ]);
  return (JSON.parse(stdout.trim().split("\n").at(-1) as string) as { running: boolean }).running;
}

test("a wall clock stepping 2 hours forward does not stop a worker released a moment ago (idle TTL 60 s)", {
  timeout: 60_000,
}, async () => {
  expect(await runningAfterStep(60_000, 2 * HOUR, 1_000)).toBe(true);
});

test("a wall clock stepping 2 hours back does not keep alive a worker idle past its TTL (idle TTL 300 ms)", {
  timeout: 60_000,
}, async () => {
  expect(await runningAfterStep(300, -2 * HOUR, 2_000)).toBe(false);
});
