import { ModelpoolError } from "@modelpool/core";
import { expect, test } from "vitest";
import { MinimumContextPolicy } from "../src/index.js";

test("another attribute can hold the context window", () => {
  const policy = new MinimumContextPolicy({ attribute: "num_ctx" });
  expect(policy.judge({ num_ctx: 4096 }, { num_ctx: 2048 }).reason).toBe("num_ctx 2048 < requested 4096");
});

test("a wrong option is a typed error naming it", () => {
  expect(() => new MinimumContextPolicy({ attribute: "" })).toThrow(ModelpoolError);
  expect(() => new MinimumContextPolicy({ attrib: "ctx" } as never)).toThrow(/attrib/);
});
