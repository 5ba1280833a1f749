import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

// Two stoppers of one record, the first stalled past lockStaleMs while deciding: the second takes the
// record lock over and writes its own announcement (same file name). When the first wakes up, its write
// is refused (lock lost) — but its `finally` must not remove the *second* stopper's announcement: a lease
// written then would find no update under way, read "ready", and be granted while the second stopper,
// which read the lease entries before that lease existed, goes on to write "stopped".
const entry = () => ({ ...processIdentityOf(process.pid), pool: "process", leases: 1, lastUsedAt: Date.now() });

test("a stop whose lock was taken over never ends the announcement of the stop that took it", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const signals = await tempDir();
  const go = join(signals, "go");
  const lockStaleMs = 2000;
  const registry = new DeviceRegistry({ path, legacySources: false, lockStaleMs, lockTimeoutMs: 20_000 });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const script = new URL("./fixtures/stop-deciding-until.ts", import.meta.url);

  // A: stalls while deciding for longer than the lock's stale time.
  const first = childLines(startNodeScript(script, [path, String(lockStaleMs), String(lockStaleMs + 400), "-"]));
  await first.line("deciding");
  // B: waits for the lock, takes it over once A's is stale, announces, reads no lease, decides until `go`.
  const second = childLines(startNodeScript(script, [path, String(lockStaleMs), "1500", go]));
  await second.line("deciding", 20_000);
  // A wakes up: its write is refused; its announcement-ending unlink runs.
  expect(await first.line("failed", 20_000)).toMatch(/^failed/);

  // A lease now: granted only if no update is under way — yet B is still deciding.
  const seen = await registry.hold({ workerId: "docs", id: "w1" }, entry());
  writeFileSync(go, "");
  await second.exited;

  const [record] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
  // The lease was granted on a ready worker, so the worker must not have been stopped.
  expect({ leaseSaw: seen?.status, recordNow: record?.status, second: second.lines }).toMatchObject({
    leaseSaw: "ready",
    recordNow: "ready",
  });
});
