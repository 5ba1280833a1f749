// A brand-new process's first reuse decision, imports excluded: what a new orchestrator session pays once.
// startup.ts compiles this file to JavaScript and runs it under plain `node`, so the packages load from
// their built dist through their package.json exports, as users load them (no loader hooks, no source
// maps), and the baseline runs in the same kind of process.
import { TARGET } from "./target.js";

const [mode, path] = process.argv.slice(2) as [string, string];
if (mode === "baseline") {
  const { naiveFindWorker } = await import("./naive-registry.js");
  const started = performance.now();
  const found = await naiveFindWorker(path, TARGET.workerId, TARGET.model);
  const ms = performance.now() - started;
  if (!found) throw new Error("the baseline found nothing");
  console.log(JSON.stringify({ ms }));
} else {
  const { DeviceRegistry, WorkerPool } = await import("@modelpool/core");
  const { ExactModelPolicy } = await import("@modelpool/policy-exact");
  const backend = { name: "bench", spawn: () => Promise.reject(new Error("the bench never spawns")) };
  const constructed = performance.now();
  const pool = new WorkerPool({
    backend,
    registry: new DeviceRegistry({ path, legacySources: false }),
    plugins: [new ExactModelPolicy()],
  });
  const started = performance.now();
  const lease = await pool.getOrSpawn({ workerId: TARGET.workerId, fingerprint: { resolvedModel: TARGET.model } });
  const ms = performance.now() - started;
  if (lease.decision.outcome !== "reused") throw new Error(lease.decision.reason);
  await pool.settled();
  // The decision itself, and apart from it the pool's construction (options, hooks, policies).
  console.log(JSON.stringify({ ms, constructMs: started - constructed }));
}
