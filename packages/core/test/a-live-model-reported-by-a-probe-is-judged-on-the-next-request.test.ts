import { DeviceRegistry } from "@modelpool/core";
import { stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { startRequester } from "./fixtures/requester.js";

test("within healthyForMs the next request is judged against the live model a probe reported, not the registry's", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const starter = await startRequester(path);
  const started = await starter.ask("docs", "alpha-2");
  await starter.exit();
  // The registry remembers another model than the worker runs (a stale record, or a re-pointed worker).
  await new DeviceRegistry({ path }).update({ workerId: "docs", id: started.id as string }, (record) => ({
    ...record,
    fingerprint: { resolvedModel: "alpha-1", modelPolicy: "dynamic" },
  }));

  const other = await startRequester(path, { policy: "prefix", healthyForMs: 60_000 });
  // "alpha" takes alpha-1 (recorded) and alpha-2 (live): reused, and the probe's answer is remembered.
  const reused = await other.ask("docs", "alpha");
  expect(reused).toMatchObject({ outcome: "reused", pid: started.pid });
  // "alpha-1" takes what the registry says but not what the worker said a moment ago.
  const next = await other.ask("docs", "alpha-1");
  expect(next.outcome).toBe("spawned");
  expect(next.pid).not.toBe(started.pid);
  expect(next.considered).toContainEqual({ pid: started.pid, code: "REUSE_DENIED" });
  await other.exit();
});
