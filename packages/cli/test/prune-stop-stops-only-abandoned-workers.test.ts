import { DeviceRegistry } from "@modelpool/core";
import {
  isRunning,
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { main } from "../src/main.js";

const REQUEST_WORKER = new URL("../../core/test/fixtures/request-worker.ts", import.meta.url);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(
    argv,
    (text) => {
      out += text;
    },
    (text) => {
      err += text;
    },
  );
  return { code, out, err };
}

test("plain prune signals nothing; prune --stop stops a worker whose owner exited and that nobody holds, says why, and leaves a held one alone", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  // A process asks for a worker and exits: the worker stays, recorded, with nobody holding it.
  const { stdout } = await runNodeScript(REQUEST_WORKER, [path, "docs", "m"]);
  const abandoned = (JSON.parse(stdout.trim().split("\n").at(-1) as string) as { pid: number }).pid;
  // A worker this (live) process holds a lease on.
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const held = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "m" } });
  await pool.settled();

  const plain = await run("prune", "--registry", path);
  expect(plain.code).toBe(0);
  expect(isRunning(abandoned)).toBe(true);
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.workerId).sort()).toEqual(["coder", "docs"]);

  const stopping = await run("prune", "--stop", "--registry", path, "--json");
  expect(stopping.code).toBe(0);
  const report = JSON.parse(stopping.out) as {
    stopped: { record: { pid: number }; reason: string; report: { outcome: string } }[];
  };
  expect(report.stopped).toHaveLength(1);
  expect(report.stopped[0]).toMatchObject({
    record: { pid: abandoned },
    reason: "its owner is gone and no process holds a lease on it",
    report: { outcome: "stopped" },
  });
  expect(isRunning(abandoned)).toBe(false);
  expect(isRunning(held.worker.pid)).toBe(true);
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.workerId)).toEqual(["coder"]);
  await held.release();
});
