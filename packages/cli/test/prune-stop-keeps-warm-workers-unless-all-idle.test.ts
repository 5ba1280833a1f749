import { DeviceRegistry } from "@modelpool/core";
import {
  isRunning,
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

const LEAVE_A_WORKER = new URL("./fixtures/leave-a-worker.ts", import.meta.url);

async function leaveWorker(path: string, workerId: string, idleTtlMs?: number): Promise<number> {
  const args = [path, workerId, "m", ...(idleTtlMs ? [String(idleTtlMs)] : [])];
  const { stdout } = await runNodeScript(LEAVE_A_WORKER, args);
  return (JSON.parse(stdout.trim().split("\n").at(-1) as string) as { pid: number }).pid;
}

test("prune --stop stops a left worker idle past its TTL, keeps one kept warm with no TTL, and says what it will stop first", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const warm = await leaveWorker(path, "docs");
  const expired = await leaveWorker(path, "coder", 1);
  await waitUntil(async () => (await new DeviceRegistry({ path }).list()).length === 2);

  const stopping = await run("prune", "--stop", "--registry", path);

  expect(stopping.code).toBe(0);
  expect(isRunning(expired)).toBe(false);
  expect(isRunning(warm)).toBe(true);
  const [announced, done] = [stopping.out.indexOf("will stop 1 worker"), stopping.out.indexOf("stopped 1 worker")];
  expect(announced).toBeGreaterThanOrEqual(0);
  expect(done).toBeGreaterThan(announced);
  expect(stopping.out).toMatch(/coder .*idle past its TTL/);
  expect(stopping.out).toMatch(/kept 1 idle worker .*--all-idle/);
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.workerId)).toEqual(["docs"]);
});

test("prune --stop --all-idle also stops idle workers with no TTL, never a held one", { timeout: 60_000 }, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const warm = await leaveWorker(path, "docs");
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const held = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "m" } });
  await pool.settled();

  const stopping = await run("prune", "--stop", "--all-idle", "--registry", path, "--json");

  expect(stopping.code).toBe(0);
  const report = JSON.parse(stopping.out) as { stopped: { record: { pid: number }; reason: string }[] };
  expect(report.stopped.map((s) => s.record.pid)).toEqual([warm]);
  expect(isRunning(warm)).toBe(false);
  expect(isRunning(held.worker.pid)).toBe(true);
  await held.release();
});

test("--all-idle without --stop is a usage error", async () => {
  const { code, err } = await run("prune", "--all-idle", "--registry", await tempRegistryPath());
  expect(code).toBe(2);
  expect(err).toContain("--all-idle goes with --stop");
});
