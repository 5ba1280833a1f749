import { DeviceRegistry } from "@modelpool/core";
import {
  isRunning,
  runNodeScript,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

const LEAVE_A_WORKER = new URL("./fixtures/leave-a-worker.ts", import.meta.url);

// A drain its owner could not finish: the owner stopped it while another process (perhaps of another host)
// held it, then exited; the holder let go. Its stop was asked for, so it is not kept warm like a worker
// left for the next session.
test("prune --stop stops a left-over worker marked draining, though it has no TTL and --all-idle is not given", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const { stdout } = await runNodeScript(LEAVE_A_WORKER, [path, "docs", "m"]);
  const pid = (JSON.parse(stdout.trim().split("\n").at(-1) as string) as { pid: number }).pid;
  const registry = new DeviceRegistry({ path });
  await waitUntil(async () => (await registry.list()).length === 1);
  const [record] = await registry.list();
  if (!record) throw new Error("no record left");
  await registry.update(record, (current) => ({ ...current, draining: true }));

  const stopping = await run("prune", "--stop", "--registry", path);

  expect(stopping.code).toBe(0);
  expect(stopping.out).toMatch(/docs .*draining/);
  expect(isRunning(pid)).toBe(false);
  expect(await registry.list()).toEqual([]);
});
