import { InvalidOptionsError, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

type Line = { level: string; fields: Record<string, unknown>; message: string };

/** A pino-shaped logger (each method takes fields, then a message) that keeps what it was given. */
function memoryLogger(lines: Line[]) {
  const at = (level: string) => (fields: object, message: string) =>
    void lines.push({ level, fields: fields as Record<string, unknown>, message });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

test("a logger gets every event and decision as (fields, message), at its level, with no whole record", async () => {
  const lines: Line[] = [];
  const pool = testPool({
    registry: await tempRegistryPath(),
    plugins: [new SameModelTestPolicy()],
    logger: memoryLogger(lines),
  });

  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  await lease.release();
  await pool.stop("docs");

  expect(lines.map((line) => [line.fields.event, line.level])).toEqual([
    ["spawnStarted", "info"],
    ["spawnReady", "info"],
    ["leased", "debug"],
    ["decided", "debug"],
    ["released", "debug"],
    ["stopped", "info"],
  ]);
  const ready = lines[1] as Line;
  expect(ready.fields).toMatchObject({
    code: "SPAWN_READY",
    workerId: "docs",
    id: lease.worker.id,
    pid: lease.worker.pid,
  });
  expect(ready.fields).not.toHaveProperty("record");
  expect(ready.message).toBe(`spawn ready: worker docs (${lease.worker.id}, pid ${lease.worker.pid})`);
  expect(lines[3]?.fields).toMatchObject({ code: "SPAWNED_NO_CANDIDATE", outcome: "spawned" });
});

test("a warning nobody taps goes to the logger at warn", async () => {
  const lines: Line[] = [];
  const pool = testPool({ registry: await tempRegistryPath(), logger: memoryLogger(lines) });
  pool.hooks.leased.tap("buggy", () => {
    throw new Error("listener bug");
  });

  await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });

  expect(lines.filter((line) => line.level === "warn")).toEqual([
    {
      level: "warn",
      fields: { event: "warning", code: "LISTENER_FAILED" },
      message: expect.stringMatching(/leased listener threw/),
    },
  ]);
});

test("a logger without the four methods is refused with a typed error naming the option", () => {
  const create = () =>
    new WorkerPool({
      backend: modelWorkerBackend(),
      registry: false,
      logger: { info: () => undefined } as never,
    });

  expect(create).toThrow(InvalidOptionsError);
  expect(create).toThrow(/logger/);
});
