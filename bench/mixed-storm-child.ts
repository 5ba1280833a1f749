// One of 12 OS processes in the mixed storm: a random walk of requests for three models, forceNew,
// releases and stops on one shared workerId, checking every lease it gets: is the worker alive, and does
// it say (GET /health) it runs the requested model? Prints one JSON line of counts at the end.
import { DeviceRegistry, readLiveProcess, type WorkerLease, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { modelServerBackend } from "../examples/worker/backend.js";
import { readyThenWaitForGo } from "./start-signal.js";

const [path, seedText, stepsText] = process.argv.slice(2) as [string, string, string];
const MODELS = ["storm-model-a", "storm-model-b", "storm-model-c"];
let seed = Number(seedText);
/** A small deterministic generator: each process walks its own reproducible path. */
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const pool = new WorkerPool({
  backend: modelServerBackend(),
  registry: new DeviceRegistry({ path, legacySources: false }),
  plugins: [new ExactModelPolicy()],
  onSuperseded: "drain",
  capacityTimeoutMs: 5_000,
});
await readyThenWaitForGo();

const held: WorkerLease[] = [];
const counts = { leases: 0, wrongModel: 0, deadWorker: 0, failures: 0, forced: 0, stops: 0, errors: [] as string[] };
for (let step = 0; step < Number(stepsText); step++) {
  const roll = random();
  try {
    if (roll < 0.6) {
      const model = MODELS[Math.floor(random() * MODELS.length)] as string;
      const forceNew = random() < 0.15;
      const lease = await pool.getOrSpawn({ workerId: "storm", fingerprint: { resolvedModel: model }, forceNew });
      counts.leases++;
      if (forceNew) counts.forced++;
      const live = readLiveProcess(lease.worker.pid);
      if (!live.running || live.zombie) {
        counts.deadWorker++;
        if (counts.errors.length < 5) {
          counts.errors.push(
            `dead at lease: ${lease.decision.code}, owner ${lease.worker.owner?.pid === process.pid ? "self" : "other"}`,
          );
        }
      } else if ((await liveModel(lease)) !== model) counts.wrongModel++;
      held.push(lease);
    } else if (roll < 0.9) {
      await held.splice(Math.floor(random() * held.length), 1)[0]?.release();
    } else {
      counts.stops += (await pool.stop("storm")).length;
    }
  } catch (error) {
    counts.failures++;
    if (counts.errors.length < 3) counts.errors.push(String(error).slice(0, 200));
  }
}
for (const lease of held) await lease.release();
await pool.stopAll();
console.log(JSON.stringify(counts));
process.exit(0);

/**
 * What the worker itself says it runs. A worker its owner stopped since the lease (pool.stop does not wait
 * for other processes' leases) cannot answer: its record's model is all there is to check.
 */
async function liveModel(lease: WorkerLease): Promise<string | undefined> {
  try {
    const response = await fetch(`${lease.worker.url}/health`, { signal: AbortSignal.timeout(2_000) });
    return ((await response.json()) as { model?: string }).model;
  } catch {
    return lease.worker.fingerprint?.resolvedModel;
  }
}
