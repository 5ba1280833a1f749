import { DeviceRegistry } from "@modelpool/core";
import { startNodeScript, stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { startRequester } from "./fixtures/requester.js";

// A lease written while a stop is announced waits for the announcement to end (bounded by its
// registry's lockTimeoutMs), and only then reads the record. When the wait runs out first — the stopper's
// lockStaleMs, hence its announcement, is longer than the leaser's lockTimeoutMs, both valid options —
// `hold` throws, and the pool grants the lease anyway ("costs visibility, not the lease"): but the stopper
// read the lease entries before this lease's entry existed, and goes on to write "stopped".
test("a lease that gave up waiting for an announced stop is not granted on the worker that stop stops", {
  timeout: 90_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const requester = await startRequester(path);
  const first = await requester.ask("docs", "m");
  expect(first.outcome).toBe("spawned");
  onTestFinished(() => {
    try {
      process.kill(first.pid as number, "SIGKILL");
    } catch {}
  });
  await requester.release();

  // A stop announced for 15 s that decides for 12 s (the leaser's registry waits 10 s, its default).
  const stopper = childLines(
    startNodeScript(new URL("./fixtures/stop-deciding-until.ts", import.meta.url), [
      path,
      "15000",
      "12000",
      "-",
      first.id as string,
    ]),
  );
  expect(await stopper.line("deciding")).toBe("deciding 0");

  const second = await requester.ask("docs", "m");
  await stopper.exited;
  const record = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records.find(
    (found) => found.id === first.id,
  );
  const leasedIt = second.step === "leased" && second.id === first.id;
  // Either the lease was refused (another worker) or the worker it was granted stays unstopped.
  expect({ leasedIt, recordNow: record?.status, stopper: stopper.lines }).not.toMatchObject({
    leasedIt: true,
    recordNow: "stopped",
  });
  await requester.exit();
});
