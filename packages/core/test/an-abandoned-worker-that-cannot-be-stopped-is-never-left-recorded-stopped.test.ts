import { randomUUID } from "node:crypto";
import { DeviceRegistry, processIdentityOf, stopAbandonedWorkers } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("an abandoned `starting` record whose pid is this process (never signalled) is put back as it was, not left recorded `stopped` while it runs", async () => {
  const registry = new DeviceRegistry({ path: await tempRegistryPath() });
  const self = processIdentityOf(process.pid);
  const record = {
    kind: "worker" as const,
    id: randomUUID(),
    workerId: "docs",
    pid: process.pid,
    ...(self.start ? { pidStart: self.start } : {}),
    status: "starting" as const,
    // An owner that is gone: no process has pid 2^22 + 1 (above Linux's pid_max).
    owner: { pid: 4_194_305 },
    host: registry.hostId,
    startedAt: Date.now(),
    updatedAt: Date.now(),
  };
  await registry.put(record);

  const [stopped] = await stopAbandonedWorkers(registry, await registry.list(), { startsOnly: true });

  expect(stopped?.report.outcome).toBe("protected");
  expect((await registry.list()).map((r) => r.status)).toEqual(["starting"]);
});
