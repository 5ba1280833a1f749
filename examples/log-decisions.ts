// Subscribing to `decided`: one log line per decision, saying why a worker was or was not reused.
import { WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { modelServerBackend } from "./worker/backend.js";

const pool = new WorkerPool({ backend: modelServerBackend(), registry: false, plugins: [new ExactModelPolicy()] });
pool.hooks.decided.tap("DecisionLog", (decision) => {
  const rejected = decision.considered
    .filter((c) => !c.verdict.reuse)
    .map((c) => `pid ${c.candidate.pid}: ${c.verdict.reason}`);
  console.log(
    JSON.stringify({
      workerId: decision.workerId,
      outcome: decision.outcome,
      pid: decision.worker?.pid,
      reason: decision.reason,
      ...(rejected.length ? { rejected } : {}),
    }),
  );
});
pool.hooks.warning.tap("DecisionLog", (warning) => console.error(`warning ${warning.code}: ${warning.message}`));

try {
  await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } });
  await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } });
  await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-nano" } });
} finally {
  await pool.stopAll();
}
