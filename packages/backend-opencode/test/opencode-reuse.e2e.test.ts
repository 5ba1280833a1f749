import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { runNodeScript, stopRecordedWorkersAfterTest, tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";

type Session = { outcome: string; pid: number; url: string; ms: number; reasons: string[] };

test("real opencode serve: spawn, reuse from another OS process, refuse after a model change, forceNew, live model wins", async () => {
  const home = await tempDir();
  const project = join(home, "project");
  await mkdir(project);
  const registry = join(home, "state", "registry.json");
  stopRecordedWorkersAfterTest(registry);
  // opencode keeps config and state under HOME / XDG dirs: isolate them, so no user config leaks in.
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".data"),
    XDG_STATE_HOME: join(home, ".state"),
    XDG_CACHE_HOME: join(home, ".cache"),
    OPENCODE_PROJECT_DIR: project,
  };
  const session = async (...args: string[]) =>
    JSON.parse(
      (await runNodeScript(new URL("./fixtures/session.ts", import.meta.url), [registry, ...args], env)).stdout,
    ) as Session;

  const first = await session("openai/gpt-5-mini");
  const second = await session("openai/gpt-5-mini");
  const changed = await session("openai/gpt-5-nano");
  const forced = await session("openai/gpt-5-mini", "--force-new");

  expect(first.outcome).toBe("spawned");
  expect(second).toMatchObject({ outcome: "reused", pid: first.pid, url: first.url });
  expect(changed.outcome).toBe("spawned");
  expect(changed.pid).not.toBe(first.pid);
  expect(changed.reasons).toContain(
    'resolvedModel differs: running "openai/gpt-5-mini", requested "openai/gpt-5-nano"',
  );
  expect(forced.outcome).toBe("forced");
  expect(new Set([first.pid, changed.pid, forced.pid]).size).toBe(3);

  // The registry now lies about the first worker's model; its own GET /config tells the truth.
  const records = new DeviceRegistry({ path: registry });
  const firstRecord = (await records.list()).find((r) => r.pid === first.pid);
  if (!firstRecord) throw new Error("first worker not recorded");
  await records.upsert({
    ...firstRecord,
    fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-5", modelPolicy: "dynamic" },
  });
  const lied = await session("anthropic/claude-sonnet-4-5");
  expect(lied.outcome).toBe("spawned");
  expect(lied.reasons.join("\n")).toContain("its live model is openai/gpt-5-mini");
});
