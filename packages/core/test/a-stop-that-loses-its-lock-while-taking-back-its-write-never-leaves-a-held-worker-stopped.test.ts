import { DeviceRegistry, leaseUsage, processIdentityOf } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

// A stopping `update` writes "stopped" first and reads the lease entries after; an entry that landed
// meanwhile (its holder read the record before that write: its lease stands) makes it take the write back.
// If that process stalls past lockStaleMs before taking it back, another writer takes the lock over and
// the write-back fails (LockTimeoutError): the record must not be left saying "stopped" under a lease that
// was granted — prune would then remove the record of a running, leased worker.
test("a stop that loses its lock while taking its write back never leaves a held worker recorded as stopped", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false, lockTimeoutMs: 20_000 });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const ref = { workerId: "docs", id: "w1" };
  const stopper = childLines(
    startNodeScript(new URL("./fixtures/stop-stalling-on-recheck.ts", import.meta.url), [path, "7000"]),
  );
  await stopper.line("read");

  // This process leases the worker while the stopper is deciding: the record still reads "ready".
  const seen = await registry.hold(ref, {
    ...processIdentityOf(process.pid),
    pool: "process",
    leases: 1,
    lastUsedAt: Date.now(),
  });
  expect(seen?.status).toBe("ready");
  await stopper.line("recheck");

  // Another stop attempt (another process's sweep) waits out the stalled lock, takes it over, and finds
  // the worker held: it changes nothing.
  const other = await registry.update(ref, (current) =>
    leaseUsage(current).leases > 0 || current.status === "stopped"
      ? undefined
      : { ...current, status: "stopped" as const },
  );
  await stopper.exited;
  const late = stopper.lines.find((line) => line.startsWith("updated") || line.startsWith("failed"));

  const [record] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
  expect.soft(record?.status, `the stalled stopper printed: ${late}; the other saw ${other?.status}`).toBe("ready");
  await registry.prune();
  expect((await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records).toHaveLength(1);
});

// The same with the stopping process killed (SIGKILL) between its write and taking it back.
test("a stop killed before taking its write back never leaves a held worker recorded as stopped", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const ref = { workerId: "docs", id: "w1" };
  const child = startNodeScript(new URL("./fixtures/stop-stalling-on-recheck.ts", import.meta.url), [path, "60000"]);
  const stopper = childLines(child);
  await stopper.line("read");
  const seen = await registry.hold(ref, {
    ...processIdentityOf(process.pid),
    pool: "process",
    leases: 1,
    lastUsedAt: Date.now(),
  });
  expect(seen?.status).toBe("ready");
  await stopper.line("recheck");
  child.kill("SIGKILL");
  await stopper.exited;

  const [record] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
  expect.soft(record?.status).toBe("ready");
  await registry.prune();
  expect((await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records).toHaveLength(1);
});
