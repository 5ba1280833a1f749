import { isInvalidOptionsError, parseOptions, type StandardSchemaV1 } from "@modelpool/core";
import { expect, test } from "vitest";
import { z } from "zod";

/** A Standard Schema written by hand: what valibot, arktype or another zod version hand to parseOptions. */
const ContextWindowOptions: StandardSchemaV1<unknown, { minContext: number }> = {
  "~standard": {
    version: 1,
    vendor: "hand-written",
    validate: (value) => {
      const minContext = (value as { minContext?: unknown } | undefined)?.minContext ?? 4096;
      return typeof minContext === "number" && minContext > 0
        ? { value: { minContext } }
        : { issues: [{ message: "must be a positive number", path: [{ key: "minContext" }] }] };
    },
  },
};

function failureOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

test("any Standard Schema validates a plugin's options, defaults included", () => {
  expect(parseOptions(ContextWindowOptions, {}, "ContextWindowPolicy")).toEqual({ minContext: 4096 });
  expect(parseOptions(z.object({ range: z.enum(["^", "~"]).default("^") }), {}, "FamilyPolicy")).toEqual({
    range: "^",
  });
});

test("a failed Standard Schema is an InvalidOptionsError whose issues are plain data naming the field", () => {
  const error = failureOf(() => parseOptions(ContextWindowOptions, { minContext: "big" }, "ContextWindowPolicy"));

  expect(isInvalidOptionsError(error)).toBe(true);
  expect(error).toMatchObject({ subject: "ContextWindowPolicy", field: "minContext" });
  const { issues } = error as { issues: unknown[] };
  expect(issues).toEqual([{ path: ["minContext"], message: "must be a positive number" }]);
  expect(JSON.parse(JSON.stringify(issues))).toEqual(issues); // nothing but data
});

test("zod issues come out as the same plain data, not zod objects", () => {
  const error = failureOf(() => parseOptions(z.strictObject({ ttl: z.number() }), { ttl: "1" }, "Mine"));
  const { issues } = error as { issues: { path: unknown; message: string }[] };
  expect(issues).toHaveLength(1);
  expect(Object.keys(issues[0] ?? {}).sort()).toEqual(["message", "path"]);
  expect(issues[0]?.path).toEqual(["ttl"]);
});

test("a plain validator function works too: its return value is the options, a throw names the problem", () => {
  const validate = (options: unknown) => {
    const { name } = (options ?? {}) as { name?: unknown };
    if (typeof name !== "string") throw new TypeError("name must be a string");
    return { name };
  };

  expect(parseOptions(validate, { name: "a" }, "Named")).toEqual({ name: "a" });
  const error = failureOf(() => parseOptions(validate, {}, "Named"));
  expect(error).toMatchObject({ code: "INVALID_OPTIONS", issues: [{ path: [], message: "name must be a string" }] });
  expect((error as Error).message).toBe("invalid Named options: (root): name must be a string");
});

test("an asynchronous schema is refused: a constructor cannot wait for it", () => {
  const asyncSchema: StandardSchemaV1 = {
    "~standard": { version: 1, vendor: "async", validate: async (value) => ({ value }) },
  };
  expect(() => parseOptions(asyncSchema, {}, "Slow")).toThrow(/synchronous schema/);
});
