import type { PoolPlugin } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { judgeReuse } from "@modelpool/testing";
import { expect, test } from "vitest";

test("judgeReuse runs the policies on one candidate through a real pool and returns the verdict with its code", async () => {
  const allowed = await judgeReuse([new ExactModelPolicy()], { requested: "m", running: "m" });
  expect(allowed).toMatchObject({ reuse: true, by: "ExactModelPolicy" });

  const denied = await judgeReuse([new ExactModelPolicy()], {
    requested: { resolvedModel: "m", attributes: { ctx: 8192 } },
    running: "m",
  });
  expect(denied.reuse).toBe(false);
  expect(denied.code).toEqual(expect.any(String));
  expect(denied.reason).toContain(`attribute "ctx" differs`);
});

test("with no policy nothing is reused, and a legacy candidate without a fingerprint reaches the policy as such", async () => {
  expect(await judgeReuse([], { requested: "m", running: "m" })).toMatchObject({ reuse: false, code: "NO_POLICY" });
  const seen: unknown[] = [];
  const spy: PoolPlugin = {
    apply(pool) {
      pool.hooks.canReuse.tap("Spy", (verdict, { candidate }) => {
        seen.push(candidate.fingerprint);
        return verdict;
      });
    },
  };
  await judgeReuse([spy], { requested: "m", running: undefined });
  expect(seen).toEqual([undefined]);
});
