import { InvalidOptionsError, type ModelFingerprint, NotAPoolError } from "@modelpool/core";
import { describe, expect, test } from "vitest";
import { ExactModelPolicy } from "./ExactModelPolicy.js";

const fp = (resolvedModel: string, extra: Partial<ModelFingerprint> = {}): ModelFingerprint => ({
  resolvedModel,
  modelPolicy: "dynamic",
  ...extra,
});

describe("ExactModelPolicy.judge", () => {
  const policy = new ExactModelPolicy();

  test.each([
    [
      fp("openai/gpt-5-mini"),
      fp("openai/gpt-5-nano"),
      'resolvedModel differs: running "openai/gpt-5-nano", requested "openai/gpt-5-mini"',
    ],
    [fp("m"), fp("m", { modelPolicy: "sticky" }), 'modelPolicy differs: running "sticky", requested "dynamic"'],
    [
      fp("m", { attributes: { ctx: 4096 } }),
      fp("m", { attributes: { ctx: 8192 } }),
      'attribute "ctx" differs: running 8192, requested 4096',
    ],
    [fp("m", { attributes: { gpu: true } }), fp("m"), 'attribute "gpu" differs: running (unset), requested true'],
    [
      fp("m", { attributes: { n: 1 } }),
      fp("m", { attributes: { n: "1" } }),
      'attribute "n" differs: running "1", requested 1',
    ],
  ])("denies %j on running %j, naming the field and both values", (requested, running, reason) => {
    expect(policy.judge(requested, running)).toEqual({
      reuse: false,
      reason,
      code: "MODEL_DIFFERS",
      supersedes: true,
      by: "ExactModelPolicy",
    });
  });

  test("allows equal fingerprints whatever the attribute order", () => {
    const verdict = policy.judge(fp("m", { attributes: { a: 1, b: 2 } }), fp("m", { attributes: { b: 2, a: 1 } }));
    expect(verdict.reuse).toBe(true);
  });

  test("denies a legacy worker with no recorded fingerprint, saying so", () => {
    expect(policy.judge(fp("m"), undefined).reason).toMatch(/no recorded model/);
  });

  test("compare narrows the fields that must match", () => {
    const modelOnly = new ExactModelPolicy({ compare: ["resolvedModel"] });
    expect(modelOnly.judge(fp("m", { attributes: { ctx: 1 } }), fp("m", { modelPolicy: "sticky" })).reuse).toBe(true);
  });
});

test("bad options get an InvalidOptionsError naming the field", () => {
  expect(() => new ExactModelPolicy({ compare: ["model" as never] })).toThrow(InvalidOptionsError);
  expect(() => new ExactModelPolicy({ compare: [] })).toThrow(/compare/);
});

test("apply refuses anything but a pool", () => {
  expect(() => new ExactModelPolicy().apply({})).toThrow(NotAPoolError);
});
