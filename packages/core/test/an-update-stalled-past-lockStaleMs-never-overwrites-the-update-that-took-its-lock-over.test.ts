import { DeviceRegistry } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { record } from "./fixtures/registry-files.js";

// A record lock is never taken over while its holder lives, however long it stalls (past lockStaleMs,
// default 5 s, which once expired it): the second writer waits, and no update is lost — the stalled
// update lands, then the second is applied on top of it.
test("a process whose update stalls past lockStaleMs keeps its lock, and the update waiting for it loses nothing", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, lockTimeoutMs: 20_000 });
  await registry.put({ ...record({ id: "shared", workerId: "shared" }), count: 0 });
  const stalled = childLines(
    startNodeScript(new URL("./fixtures/stall-in-update.ts", import.meta.url), [path, "7000"]),
  );
  expect(await stalled.line("read ")).toBe("read 0");

  // Waits for the stalled holder to finish (never takes its lock over), then increments.
  const mine = await registry.update({ workerId: "shared", id: "shared" }, (current) => ({
    ...current,
    count: (current.count as number) + 1,
  }));
  expect(mine).toMatchObject({ count: 2 });
  await stalled.exited;

  const final = (await new DeviceRegistry({ path }).lookup("shared")).records[0];
  const lateLine = stalled.lines.find((line) => line.startsWith("updated ") || line.startsWith("failed "));
  expect(lateLine).toMatch(/^updated /);
  expect(final?.count, `the late process printed: ${lateLine}`).toBe(2);
});
