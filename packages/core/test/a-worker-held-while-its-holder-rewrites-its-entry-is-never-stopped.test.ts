import { once } from "node:events";
import { DeviceRegistry, leaseUsage } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord } from "./fixtures/registry-files.js";

// A busy process holds the worker from before the first stop attempt to after the last, rewriting its
// lease entry as its count changes (a process with a pool per task does so whenever a task ends while
// others still hold the worker): a new generation, then the previous one unlinked. A stopping `update`
// lists the directory, then reads the newest generation of each entry; when the holder has meanwhile
// written the next one and unlinked that one, the read finds nothing and the entry is dropped as if it
// had never been there. The worker must never be stopped while it is held.
test("a worker held the whole time is never stopped while its holder rewrites its lease entry", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const ref = { workerId: "docs", id: "w1" };
  const holder = startNodeScript(new URL("./fixtures/busy-holder.ts", import.meta.url), [
    path,
    "docs",
    "w1",
    String(Date.now() + 12_000),
  ]);
  await once(holder.stdout as NodeJS.ReadableStream, "data");
  await new Promise((resolve) => setTimeout(resolve, 200));

  let attempts = 0;
  let stoppedWhileHeld = 0;
  for (const end = Date.now() + 10_000; Date.now() < end; attempts++) {
    const after = await registry.update(ref, (current) =>
      leaseUsage(current).leases > 0 ? undefined : { ...current, status: "stopped" as const },
    );
    if (after?.status === "stopped") {
      stoppedWhileHeld++;
      await registry.update(ref, (current) => ({ ...current, status: "ready" as const }));
    }
  }
  holder.kill();
  expect(attempts).toBeGreaterThan(20);
  expect({ stoppedWhileHeld, attempts }).toEqual({ stoppedWhileHeld: 0, attempts });
});
