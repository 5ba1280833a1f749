// One orchestrator session driving real `opencode serve` workers through the shared registry.
//   node --import tsx examples/opencode/session.ts <registry> <model> [--force-new]
// Prints one JSON line with the decision; leaves the worker running for the next session.
import { opencodeBackend, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { opencodeCommand } from "./opencode-command.js";

const [registry, model, flag] = process.argv.slice(2);
const pool = new WorkerPool({
  backend: opencodeBackend({
    command: opencodeCommand(),
    // Isolated opencode state (HOME, XDG dirs) comes from the caller's environment.
    cwd: process.env.OPENCODE_PROJECT_DIR ?? process.cwd(),
  }),
  registry: registry as string,
  plugins: [new ExactModelPolicy()],
});
const started = performance.now();
const { worker, decision } = await pool.getOrSpawn({
  workerId: "opencode",
  fingerprint: { resolvedModel: model as string },
  forceNew: flag === "--force-new",
});
console.log(
  JSON.stringify({
    outcome: decision.outcome,
    pid: worker.pid,
    url: worker.url,
    ms: performance.now() - started,
    reasons: decision.considered.map((c) => c.verdict.reason),
  }),
);
