import { readFile, writeFile } from "node:fs/promises";
import {
  DeviceRegistry,
  isModelpoolError,
  type PoolWarning,
  type WorkerBackend,
  WorkerPool,
  WorkerRecordSchema,
} from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath } from "@modelpool/test-utils";
import fc from "fast-check";
import { expect, test } from "vitest";
import { record, recordFile } from "./fixtures/registry-files.js";

const NEVER_SPAWNS: WorkerBackend = { name: "never", spawn: () => Promise.reject(new Error("not in this test")) };

const valid = `${JSON.stringify(
  record({
    id: "a",
    workerId: "docs",
    status: "ready",
    url: "http://127.0.0.1:4096",
    port: 4096,
    sessionId: "ses_1",
    holders: [{ pid: 999_998, leases: 1, lastUsedAt: 1 }],
    startedAt: 1,
    updatedAt: 1,
  }),
)}\n`;

/** Byte-level damage of the kinds files really suffer: truncation, overwritten bytes, inserted and deleted runs. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("overwrite" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

type Mutation = {
  kind: "truncate" | "overwrite" | "insert" | "delete";
  at: number;
  bytes?: Uint8Array;
  length?: number;
};

function mutate(source: Buffer, change: Mutation): Buffer {
  const at = change.at % (source.length + 1);
  switch (change.kind) {
    case "truncate":
      return source.subarray(0, at);
    case "overwrite":
      return Buffer.concat([
        source.subarray(0, at),
        Buffer.from(change.bytes ?? []),
        source.subarray(at + (change.bytes?.length ?? 0)),
      ]);
    case "insert":
      return Buffer.concat([source.subarray(0, at), Buffer.from(change.bytes ?? []), source.subarray(at)]);
    default:
      return Buffer.concat([source.subarray(0, at), source.subarray(at + (change.length ?? 1))]);
  }
}

/** What a strict reader must make of the bytes: a record (as the schema reads it), or nothing. */
function oracle(bytes: Buffer): unknown {
  try {
    const parsed = WorkerRecordSchema.safeParse(JSON.parse(bytes.toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

test("1,000 random mutations of a record file: every read reports or parses it, never throws, never rewrites it", {
  timeout: 120_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const neighbour = await registry.put(record({ id: "b", workerId: "docs" }));
  await registry.put(record({ id: "a", workerId: "docs" }));
  const file = recordFile(path, "docs", "a");
  const original = Buffer.from(valid);
  let reported = 0;
  let parsed = 0;

  await fc.assert(
    fc.asyncProperty(mutation, async (change) => {
      const bytes = mutate(original, change);
      await writeFile(file, bytes, { mode: 0o600 });
      // A fresh registry and pool each time, as a new orchestrator session would meet the file.
      const fresh = new DeviceRegistry({ path });
      const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry: fresh, plugins: [new SameModelTestPolicy()] });
      const warnings: PoolWarning[] = [];
      pool.hooks.warning.tap("test", (warning) => {
        warnings.push(warning);
      });

      let read: Awaited<ReturnType<DeviceRegistry["lookup"]>>;
      let decision: Awaited<ReturnType<WorkerPool["explain"]>>;
      try {
        read = await fresh.lookup("docs");
        decision = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
      } catch (error) {
        expect(isModelpoolError(error), String(error)).toBe(true);
        throw error; // none is expected here at all: a damaged record is not the registry's failure
      }

      expect(decision.dryRun).toBe(true);
      expect(await readFile(file)).toEqual(bytes);
      expect(read.records.filter((r) => r.id === "b")).toEqual([neighbour]);
      const mine = read.records.filter((r) => r.id !== "b");
      const expected = oracle(bytes) as { workerId?: string } | undefined;
      if (mine.length === 1) {
        parsed++;
        expect(read.unreadable).toEqual([]);
        expect(mine[0]).toEqual(expected);
        expect(expected?.workerId).toBe("docs");
      } else {
        reported++;
        expect(mine).toEqual([]);
        expect(read.unreadable).toEqual([{ location: file, reason: expect.any(String) }]);
        expect(warnings.filter((w) => w.code === "REGISTRY_ENTRIES_UNREADABLE")).toHaveLength(1);
        expect(decision.considered.map((c) => c.candidate.id)).toEqual(["b"]);
        // prune removes the dead neighbour (put back below) and leaves what it cannot read alone.
        expect((await fresh.prune()).map((p) => p.record.id)).toEqual(["b"]);
        expect(await readFile(file)).toEqual(bytes);
      }
      await registry.put(neighbour);
    }),
    { numRuns: 1_000 },
  );
  expect(reported).toBeGreaterThan(100); // the generator really does break files
  expect(parsed).toBeGreaterThan(10); // and some damage leaves a readable record, which is returned
});
