import { InvalidOptionsError, type ModelFingerprint, NotAPoolError } from "@modelpool/core";
import { expect, test } from "vitest";
import { FamilyPolicy } from "./FamilyPolicy.js";

const fp = (resolvedModel: string, modelPolicy: ModelFingerprint["modelPolicy"] = "dynamic"): ModelFingerprint => ({
  resolvedModel,
  modelPolicy,
});

test("allows a compatible version and ranks the closest version highest", () => {
  const policy = new FamilyPolicy();
  const near = policy.judge(fp("claude-sonnet-4-1"), fp("claude-sonnet-4-2"));
  const far = policy.judge(fp("claude-sonnet-4-1"), fp("claude-sonnet-4-6"));
  const same = policy.judge(fp("claude-sonnet-4-1"), fp("claude-sonnet-4-1"));
  expect([near.reuse, far.reuse, same.reuse]).toEqual([true, true, true]);
  expect(same.rank).toBeGreaterThan(near.rank as number);
  expect(near.rank).toBeGreaterThan(far.rank as number);
});

test("requires the same modelPolicy", () => {
  expect(new FamilyPolicy().judge(fp("gpt-5"), fp("gpt-5", "sticky"))).toEqual({
    reuse: false,
    reason: 'modelPolicy differs: running "sticky", requested "dynamic"',
    code: "MODEL_DIFFERS",
    supersedes: true,
    by: "FamilyPolicy",
  });
});

test("denies a legacy worker with no recorded model", () => {
  expect(new FamilyPolicy().judge(fp("gpt-5"), undefined).reason).toMatch(/no recorded model/);
});

test("a custom parse teaches it another naming scheme", () => {
  // "acme:<family>@<version>", e.g. "acme:coder@2.3"
  const parse = (id: string) => {
    const match = /^acme:([a-z]+)@(\d+)\.(\d+)$/.exec(id);
    return match ? { family: match[1] as string, version: `${match[2]}.${match[3]}.0`, raw: id } : undefined;
  };
  const policy = new FamilyPolicy({ parse });
  expect(policy.judge(fp("acme:coder@2.3"), fp("acme:coder@2.7")).reuse).toBe(true);
  expect(policy.judge(fp("acme:coder@2.3"), fp("acme:writer@2.3")).reuse).toBe(false);
});

test("bad options and a non-pool get typed errors", () => {
  expect(() => new FamilyPolicy({ range: ">=" as never })).toThrow(InvalidOptionsError);
  expect(() => new FamilyPolicy({ parse: "semver" as never })).toThrow(/parse must be a function/);
  expect(() => new FamilyPolicy().apply(null)).toThrow(NotAPoolError);
});
