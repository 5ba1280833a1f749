import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as Core from "@modelpool/core";
import { beforeAll, expect, test } from "vitest";
import { z } from "zod";

// The built dist carries its own tree-shaken copy of zod (scripts/bundle-dist.mjs: loading zod's hundred
// module files was a third of a new process's time to its first decision). An application validates
// with its own zod: the schemas core exports must still be zod schemas to it.
const DIST = new URL("../dist/index.js", import.meta.url);
let built: typeof Core;

beforeAll(async () => {
  if (!existsSync(fileURLToPath(DIST))) throw new Error("packages/core/dist is missing: run `npm run build` first");
  built = (await import(DIST.href)) as typeof Core;
});

test("the built core imports no zod module at run time: its copy is inlined", () => {
  expect(readFileSync(DIST, "utf8")).not.toMatch(/^import[^;]*from\s*"zod(\/[^"]*)?"/m);
});

test("a schema of the built core is a zod schema to the application's zod and composes with its schemas", () => {
  expect(built.ModelFingerprintSchema).toBeInstanceOf(z.ZodObject);
  const Task = z.object({ fingerprint: built.ModelFingerprintSchema, priority: z.number() });

  expect(Task.parse({ fingerprint: { resolvedModel: "m" }, priority: 1 })).toEqual({
    fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" },
    priority: 1,
  });
  const failed = Task.safeParse({ fingerprint: { resolvedModel: "" }, priority: 1 });
  expect(failed.success).toBe(false);
  expect(failed.error?.issues[0]?.path).toEqual(["fingerprint", "resolvedModel"]);
  expect(failed.error?.issues[0]?.message).toBe("resolvedModel must be a non-empty model id");
});

test("a schema of the built core extends and converts to JSON Schema with the application's zod", () => {
  const Extended = built.ModelFingerprintSchema.extend({ note: z.string() });
  expect(Extended.parse({ resolvedModel: "m", note: "n" })).toEqual({
    resolvedModel: "m",
    modelPolicy: "dynamic",
    note: "n",
  });
  expect(z.toJSONSchema(built.WorkerRecordSchema, { io: "input" })).toMatchObject({
    type: "object",
    properties: { workerId: { type: "string" } },
  });
});
