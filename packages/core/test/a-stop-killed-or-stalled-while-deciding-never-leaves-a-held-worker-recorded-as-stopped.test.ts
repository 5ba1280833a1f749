import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

// A stopping `update` announces itself, reads the lease entries, decides, writes, and ends its
// announcement; a lease written meanwhile waits for the announcement to end before reading the record.
// An updater killed while deciding leaves the record as it was and its announcement void (its owner is
// gone); one stalled, however long, is waited for (no time says a live updater may be ignored), so it
// never writes after a lease read the record.
const entry = () => ({ ...processIdentityOf(process.pid), pool: "process", leases: 1, lastUsedAt: Date.now() });

test("a stop killed while deciding leaves the record as it was, and a lease waiting on it goes ahead", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const child = startNodeScript(new URL("./fixtures/stop-stalling-while-deciding.ts", import.meta.url), [
    path,
    "60000",
    "30000",
  ]);
  const stopper = childLines(child);
  await stopper.line("deciding");
  const held = registry.hold({ workerId: "docs", id: "w1" }, entry());
  setTimeout(() => child.kill("SIGKILL"), 300);
  expect((await held)?.status).toBe("ready");
  await stopper.exited;

  const [record] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
  expect(record?.status).toBe("ready");
  await registry.prune();
  expect((await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records).toHaveLength(1);
});

test("a stop stalled past its announcement never writes after a lease has read the record", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false, lockTimeoutMs: 20_000 });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  // Its lockStaleMs 1 s (once its announcement's expiry), stalled for 3 s: no deadline decides for it.
  const stopper = childLines(
    startNodeScript(new URL("./fixtures/stop-stalling-while-deciding.ts", import.meta.url), [path, "3000", "1000"]),
  );
  await stopper.line("deciding");
  // The lease waits for the live stopper however long it stalls, then reads the record: stopped, so the
  // caller refuses it. The stop never lands after the lease read the record.
  const seen = await registry.hold({ workerId: "docs", id: "w1" }, entry());
  expect(seen?.status).toBe("stopped");
  await stopper.exited;
  expect(stopper.lines.find((line) => line.startsWith("updated") || line.startsWith("failed"))).toMatch(/^updated/);
  const [record] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
  expect(record?.status).toBe("stopped");
});
