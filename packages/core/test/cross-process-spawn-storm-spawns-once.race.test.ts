import { DeviceRegistry } from "@modelpool/core";
import { raceTest, runNodeScript, stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

type Printed = { outcome: string; shared: boolean; pid: number };

raceTest(
  "8 OS processes asking at once for the same workerId and fingerprint make exactly one spawn",
  {
    perRunMs: 20_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    stopRecordedWorkersAfterTest(path);

    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "openai/gpt-5-mini"], {
          PROBE_TIMEOUT_MS: "30000",
        }),
      ),
    );

    const printed = results.map(({ stdout }) => JSON.parse(stdout.trim().split("\n").at(-1) as string) as Printed);
    expect(new Set(printed.map((p) => p.pid)).size).toBe(1);
    const spawnedHere = printed.filter((p) => p.outcome === "spawned" && !p.shared);
    expect(spawnedHere).toHaveLength(1);
    const records = await new DeviceRegistry({ path }).list();
    expect(records.map((r) => r.status)).toEqual(["ready"]);
  },
);

test("a worker spawned by one OS process is reused by the next through the registry", { timeout: 60_000 }, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);

  const first = JSON.parse(
    (await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "m"])).stdout,
  ) as Printed;
  const second = JSON.parse(
    (await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "m"])).stdout,
  ) as Printed;
  const other = JSON.parse(
    (await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "other-model"]))
      .stdout,
  ) as Printed;

  expect(first.outcome).toBe("spawned");
  expect(second).toEqual({ outcome: "reused", shared: false, pid: first.pid });
  expect(other.outcome).toBe("spawned");
  expect(other.pid).not.toBe(first.pid);
});
