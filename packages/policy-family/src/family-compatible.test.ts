import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { familyCompatible } from "./family-compatible.js";

// [a, b, a-serves-b under "^" (running a, requested b), b-serves-a]
const pairs: Array<[string, string, boolean, boolean]> = [
  ["claude-sonnet-4-5", "claude-sonnet-4.5", true, true],
  ["claude-sonnet-4-5", "claude-sonnet-4-1", true, false], // newer serves older, not the reverse
  ["claude-sonnet-4-5", "claude-3-5-sonnet-20241022", false, false], // another major
  ["claude-opus-4-1-20250805", "claude-opus-4-1", true, true], // snapshot ignored
  ["claude-opus-4-1", "claude-sonnet-4-1", false, false],
  ["gpt-5.1", "gpt-5", true, false],
  ["gpt-5-mini", "gpt-5", false, false],
  ["gpt-4o", "gpt-4", false, false],
  ["gpt-4o-mini", "gpt-4o", false, false],
  ["gpt-4.1", "gpt-4", true, false],
  ["gemini-2.5-pro", "gemini-2.5-flash", false, false],
  ["llama3.1:8b", "llama3:8b", true, false],
  ["llama3.1:8b", "llama3.1:70b", false, false],
  ["mistral-large-2411", "mistral-large-2407", true, true],
  ["glm-4.6v", "glm-4.6", false, false],
  ["glm-4.6v", "glm-4.5v", true, false],
  ["openai/gpt-5-mini", "anthropic/gpt-5-mini", false, false],
  ["openai/gpt-5-mini", "gpt-5-mini", true, true], // a provider on one side only does not count
  ["deepseek-v3.1", "deepseek-r1", false, false],
];

describe.each(pairs)("%s and %s", (a, b, aServesB, bServesA) => {
  test(`running ${a} for a request of ${b}: ${aServesB}`, () => {
    expect(familyCompatible(b, a).compatible).toBe(aServesB);
  });
  test(`running ${b} for a request of ${a}: ${bServesA}`, () => {
    expect(familyCompatible(a, b).compatible).toBe(bServesA);
  });
});

test("~ also requires the same minor, = the same version", () => {
  expect(familyCompatible("gpt-4.1", "gpt-4.1", { range: "~" }).compatible).toBe(true);
  expect(familyCompatible("gpt-4.1", "gpt-4.2", { range: "~" }).compatible).toBe(false);
  expect(familyCompatible("claude-opus-4-1", "claude-opus-4-1-20250805", { range: "=" }).compatible).toBe(true);
  expect(familyCompatible("gpt-5", "gpt-5.1", { range: "=" }).compatible).toBe(false);
});

test("reasons say what differed", () => {
  expect(familyCompatible("claude-sonnet-4-5", "claude-3-5-sonnet").reason).toBe(
    "version incompatible claude-sonnet: running 3.5.0 does not satisfy ^4.5.0",
  );
  expect(familyCompatible("gpt-4", "gpt-4o").reason).toBe("family differs: running gpt-o, requested gpt");
  expect(familyCompatible("???", "gpt-4").reason).toMatch(/cannot parse model id "\?\?\?"/);
});

test("a parser that throws makes ids incompatible instead of throwing", () => {
  const parse = () => {
    throw new Error("boom");
  };
  expect(familyCompatible("a-1", "a-2", { parse })).toMatchObject({
    compatible: false,
    reason: expect.stringContaining("boom"),
  });
});

describe("properties", () => {
  test("never throws on any strings, in any range", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.string({ unit: "binary" }),
        fc.constantFrom("^", "~", "=" as const),
        (a, b, range) => {
          const result = familyCompatible(a, b, { range });
          expect(typeof result.compatible).toBe("boolean");
        },
      ),
      { numRuns: 2_000 },
    );
  });
  test("identical ids are always compatible", () => {
    fc.assert(fc.property(fc.string(), (id) => familyCompatible(id, id).compatible === true));
  });
  test("the result depends on the strings, not on which string objects carry them", () => {
    const modelish = fc.stringMatching(/^[a-z]{1,6}(-\d{1,2}){0,2}(\.\d)?(-[a-z]{1,5})?$/);
    fc.assert(
      fc.property(modelish, modelish, (a, b) => {
        const copy = (s: string) => [...s].join("");
        expect(familyCompatible(copy(a), copy(b))).toEqual(familyCompatible(a, b));
      }),
    );
  });
});
