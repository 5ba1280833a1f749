import { once } from "node:events";
import { DeviceRegistry } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord } from "./fixtures/registry-files.js";

// `update` re-reads the lease entries after writing and runs `change` again when they changed. A change
// that does not look at them (marking a worker draining, which is how a stop of a worker another process
// holds is deferred) gives the same record every round: it must land, not be rolled back because a busy
// holder kept rewriting its entry for 8 rounds. Else the drain mark is lost without a word, and the worker
// is handed out again (and, its owner having forgotten it, never stopped).
test("an update whose change ignores lease entries lands however fast a busy holder rewrites its entry", {
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
    String(Date.now() + 6_000),
  ]);
  await once(holder.stdout as NodeJS.ReadableStream, "data");
  await new Promise((resolve) => setTimeout(resolve, 200));

  let lost = 0;
  let attempts = 0;
  for (const end = Date.now() + 4_000; Date.now() < end; ) {
    const attempt = ++attempts;
    // A mark of its own each time (the drain mark, set once, could not tell one attempt from the next).
    const after = await registry.update(ref, (current) => ({ ...current, draining: true, mark: attempt }));
    const [stored] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
    if (after?.mark !== attempt || stored?.mark !== attempt) lost++;
  }
  holder.kill();
  expect(attempts).toBeGreaterThan(50);
  expect({ lost, attempts }).toEqual({ lost: 0, attempts });
});
