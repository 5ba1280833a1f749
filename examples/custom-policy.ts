// A custom policy next to a built-in one: same model family AND a large enough context window.
import { WorkerPool } from "@modelpool/core";
import { FamilyPolicy } from "@modelpool/policy-family";
import ContextWindowPolicy from "./context-window-policy.js";
import { modelServerBackend } from "./worker/backend.js";

const pool = new WorkerPool({
  backend: modelServerBackend(),
  registry: false, // this example keeps its workers to itself
  plugins: [new FamilyPolicy(), new ContextWindowPolicy()],
});
try {
  const big = await pool.getOrSpawn({
    workerId: "coder",
    fingerprint: { resolvedModel: "qwen2.5-coder:7b", attributes: { ctx: 32_768 } },
  });
  const small = await pool.getOrSpawn({
    workerId: "coder",
    fingerprint: { resolvedModel: "qwen2.5-coder:7b", attributes: { ctx: 8_192 } },
  });
  const bigger = await pool.getOrSpawn({
    workerId: "coder",
    fingerprint: { resolvedModel: "qwen2.5-coder:7b", attributes: { ctx: 131_072 } },
  });
  console.log(`ctx 32768: ${big.decision.outcome} (pid ${big.worker.pid})`);
  console.log(
    `ctx 8192: ${small.decision.outcome} (pid ${small.worker.pid}) — ${small.decision.considered[0]?.verdict.reason}`,
  );
  console.log(
    `ctx 131072: ${bigger.decision.outcome} (pid ${bigger.worker.pid}) — ${bigger.decision.considered[0]?.verdict.reason}`,
  );
} finally {
  await pool.stopAll();
}
