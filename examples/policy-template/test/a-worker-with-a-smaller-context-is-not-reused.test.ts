import { judgeReuse } from "@modelpool/testing";
import { expect, test } from "vitest";
import { MinimumContextPolicy } from "../src/index.js";

const withCtx = (ctx: number) => ({ resolvedModel: "qwen2.5-coder:7b", attributes: { ctx } });

test("a worker started with at least the requested context is allowed", async () => {
  const verdict = await judgeReuse([new MinimumContextPolicy()], { requested: withCtx(8192), running: withCtx(32768) });
  expect(verdict).toMatchObject({ reuse: true, code: "CONTEXT_FITS", by: "MinimumContextPolicy" });
});

test("a worker with a smaller context is denied with a stable code, and is not superseded", async () => {
  const verdict = await judgeReuse([new MinimumContextPolicy()], {
    requested: withCtx(131072),
    running: withCtx(32768),
  });
  expect(verdict).toMatchObject({
    reuse: false,
    code: "CONTEXT_TOO_SMALL",
    supersedes: false,
    reason: "ctx 32768 < requested 131072",
  });
});

test("a legacy worker that recorded no fingerprint is denied, saying so", async () => {
  const verdict = await judgeReuse([new MinimumContextPolicy()], { requested: withCtx(8192), running: undefined });
  expect(verdict.reuse).toBe(false);
  expect(verdict.by).toBe("MinimumContextPolicy");
});
