import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { decodeRegistry, type PoolWarning, type WorkerBackend, WorkerPool } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath } from "@modelpool/test-utils";
import fc from "fast-check";
import { expect, test } from "vitest";

const NEVER_SPAWNS: WorkerBackend = { name: "never", spawn: () => Promise.reject(new Error("not in this test")) };

const valid = `{"version":2,"updatedAt":1764000000000,"entries":[
${JSON.stringify({ kind: "session", sessionId: "ses_1", title: "t" })},
${JSON.stringify({ kind: "worker", id: "a", workerId: "docs", pid: 1, status: "ready", fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" }, url: "http://127.0.0.1:4096", startedAt: 1, updatedAt: 1 })},
${JSON.stringify({ kind: "worker", id: "b", workerId: "docs", pid: 2, status: "busy", startedAt: 2, updatedAt: 2 })}
]}
`;

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

test("1,000 random mutations of a valid registry: the pool never crashes, never overwrites the bytes, always reports", {
  timeout: 120_000,
}, async () => {
  const path = await tempRegistryPath();
  const original = Buffer.from(valid);
  let corrupt = 0;

  await fc.assert(
    fc.asyncProperty(mutation, async (change) => {
      const bytes = mutate(original, change);
      await writeFile(path, bytes, { mode: 0o600 });
      // A fresh pool each time, as a new orchestrator session would meet the file.
      const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry: path, plugins: [new SameModelTestPolicy()] });
      const warnings: PoolWarning[] = [];
      pool.hooks.warning.tap("test", (warning) => {
        warnings.push(warning);
      });

      const decision = await pool.explain({ workerId: "docs", fingerprint: { resolvedModel: "m" } });

      expect(decision.dryRun).toBe(true);
      const decoded = decodeRegistry(bytes.toString("utf8"));
      if (!decoded.ok) {
        corrupt++;
        expect(warnings.map((w) => w.code)).toContain("REGISTRY_CORRUPT");
        const aside = (await readdir(dirname(path))).filter((name) => name.startsWith("registry.json.corrupt-"));
        expect(aside).toHaveLength(1);
        expect(await readFile(join(dirname(path), aside[0] as string))).toEqual(bytes);
        await rm(join(dirname(path), aside[0] as string));
      } else if (decoded.contents.invalid.length > 0) {
        expect(warnings.map((w) => w.code)).toContain("REGISTRY_ENTRIES_UNREADABLE");
        expect(await readFile(path)).toEqual(bytes); // read, never rewritten by a dry run
      }
    }),
    { numRuns: 1_000 },
  );
  expect(corrupt).toBeGreaterThan(100); // the generator really does break files
});
