import { DeviceRegistry, isLockTimeoutError, processIdentityOf } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

// A record's lock held by a live process — here one paused (SIGSTOP) inside its update for many times
// `lockStaleMs` — is never taken over because of its age: a writer that runs out of time gets a
// LockTimeoutError naming the holder (pid and start), nothing is written, and `scan` shows the holder.
test("a record lock whose holder is alive is never taken over, however old", { timeout: 60_000 }, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false, lockStaleMs: 100, lockTimeoutMs: 8_000 });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const holder = startNodeScript(new URL("./fixtures/hold-lock.ts", import.meta.url), [path, "lock", "docs", "w1"]);
  await childLines(holder).line("held");
  process.kill(holder.pid as number, "SIGSTOP");

  const error = await registry
    .update({ workerId: "docs", id: "w1" }, (current) => ({ ...current, status: "stopped" as const }))
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  // Who holds it is shown (modelpool ls prints it), as a waiting writer's error names it.
  const held = (await registry.scan()).held ?? [];
  process.kill(holder.pid as number, "SIGCONT");
  expect(held).toContainEqual(
    expect.objectContaining({ what: "record lock", workerId: "docs", recordId: "w1", pid: holder.pid }),
  );
  expect(isLockTimeoutError(error)).toBe(true);
  const identity = processIdentityOf(holder.pid as number);
  expect((error as { holder?: unknown }).holder).toMatchObject({ pid: holder.pid, start: identity.start });
  expect((error as Error).message).toContain(`process ${holder.pid}`);
  const record = (await registry.lookup("docs")).records.find((found) => found.id === "w1");
  expect(record?.status).toBe("ready");
});
