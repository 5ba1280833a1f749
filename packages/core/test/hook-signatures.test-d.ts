import type { Decision, PoolWarning, ReuseContext, ReuseVerdict, WorkerPool } from "@modelpool/core";
import { expectTypeOf, test } from "vitest";

declare const pool: WorkerPool;

test("canReuse taps receive the previous verdict and the context, and return the next verdict", () => {
  pool.hooks.canReuse.tapPromise("TypeTest", async (verdict, context) => {
    expectTypeOf(verdict).toEqualTypeOf<ReuseVerdict>();
    expectTypeOf(context).toEqualTypeOf<ReuseContext>();
    expectTypeOf(context.candidate.fingerprint?.resolvedModel).toEqualTypeOf<string | undefined>();
    expectTypeOf(context.source).toEqualTypeOf<"memory" | "registry">();
    return verdict;
  });
  expectTypeOf(pool.hooks.canReuse.promise).returns.toEqualTypeOf<Promise<ReuseVerdict>>();
});

test("decided and warning are sync hooks of one argument", () => {
  pool.hooks.decided.tap("TypeTest", (decision) => {
    expectTypeOf(decision).toEqualTypeOf<Decision>();
    expectTypeOf(decision.outcome).toEqualTypeOf<"reused" | "spawned" | "forced">();
  });
  pool.hooks.warning.tap("TypeTest", (warning) => {
    expectTypeOf(warning).toEqualTypeOf<PoolWarning>();
  });
});

test("the hooks object is frozen", () => {
  const replacement = pool.hooks.decided;
  // @ts-expect-error hooks cannot be replaced
  pool.hooks.canReuse = replacement;
});
