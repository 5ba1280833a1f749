import { describe, expect, test } from "vitest";
import { initialVerdict } from "./hooks.js";
import { assertWorkerPool, composeVerdict } from "./plugin-support.js";

const allowA = { reuse: true, reason: "a allows", by: "A", rank: 1 };
const denyA = { reuse: false, reason: "a denies", by: "A" };
const allowB = { reuse: true, reason: "b allows", by: "B", rank: 5 };
const denyB = { reuse: false, reason: "b denies", by: "B" };

describe("composeVerdict: every registered policy must allow", () => {
  test("the unsigned initial verdict is replaced by the first policy's", () => {
    expect(composeVerdict(initialVerdict(), denyB)).toBe(denyB);
    expect(composeVerdict(initialVerdict(), allowB)).toBe(allowB);
  });
  test("an earlier denial stands even when a later policy allows", () => {
    expect(composeVerdict(denyA, allowB)).toBe(denyA);
  });
  test("a later denial overturns an earlier allow", () => {
    expect(composeVerdict(allowA, denyB)).toBe(denyB);
  });
  test("two allows join their reasons and take the later rank", () => {
    expect(composeVerdict(allowA, allowB)).toEqual({
      reuse: true,
      reason: "a allows; b allows",
      code: "REUSE_ALLOWED",
      by: "A+B",
      rank: 5,
    });
    expect(composeVerdict(allowA, { reuse: true, reason: "b", by: "B" }).rank).toBe(1);
  });
});

test("assertWorkerPool names the plugin and what it got instead", () => {
  expect(() => assertWorkerPool({}, "MyPolicy")).toThrow(/MyPolicy\.apply\(\) needs a WorkerPool/);
  expect(() => assertWorkerPool(undefined, "MyPolicy")).toThrow(/got undefined/);
});
