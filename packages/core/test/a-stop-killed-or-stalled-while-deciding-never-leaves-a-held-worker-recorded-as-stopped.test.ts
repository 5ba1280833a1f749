import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

// A stopping `update` announces itself, reads the lease entries, decides, writes, and ends its
// announcement; a lease written meanwhile waits for the announcement to end before reading the record.
// An updater killed while deciding leaves the record as it was and its announcement void (its owner is
// gone); one stalled past its announcement's time (the lock's stale time) lets leases read the record,
// and then may not write what it decided — prune would otherwise remove the record of a leased worker.
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
  // Announced for 1 s (its lock's stale time), stalled for 3 s.
  const stopper = childLines(
    startNodeScript(new URL("./fixtures/stop-stalling-while-deciding.ts", import.meta.url), [path, "3000", "1000"]),
  );
  await stopper.line("deciding");
  // The lease waits for the announcement to run out, then reads the record: still "ready", so it stands.
  const seen = await registry.hold({ workerId: "docs", id: "w1" }, entry());
  expect(seen?.status).toBe("ready");
  await stopper.exited;
  expect(stopper.lines.find((line) => line.startsWith("updated") || line.startsWith("failed"))).toMatch(
    /^failed .*ran out/,
  );

  const [record] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
  expect(record?.status).toBe("ready");
  await registry.prune();
  expect((await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records).toHaveLength(1);
});
