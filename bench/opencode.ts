import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { opencodeBackend } from "@modelpool/backend-opencode";
import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { opencodeCommand } from "../packages/backend-opencode/test/fixtures/opencode-command.js";
import { summarize } from "./stats.js";

export type OpencodeRow = {
  cold: { median: number; p95: number };
  reuse: { median: number; p95: number };
  coldRuns: number;
  reuseRuns: number;
};

/**
 * Time to a ready `opencode serve`: spawned cold, versus reused by a new session (a new pool and a new
 * registry instance, as a new orchestrator process has: its record files read, identity checked, the
 * server's GET /config probed for its live model).
 */
export async function measureOpencode(dir: string, coldRuns = 3, reuseRuns = 20): Promise<OpencodeRow> {
  const home = join(dir, "opencode-home");
  const project = join(home, "project");
  await mkdir(project, { recursive: true });
  const backend = opencodeBackend({
    command: opencodeCommand(),
    cwd: project,
    // Isolated state: nothing of the user's opencode config takes part.
    env: {
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".data"),
      XDG_STATE_HOME: join(home, ".state"),
      XDG_CACHE_HOME: join(home, ".cache"),
    },
  });
  const request = { workerId: "opencode", fingerprint: { resolvedModel: "openai/gpt-5-mini" } };
  const session = (path: string) =>
    new WorkerPool({
      backend,
      registry: new DeviceRegistry({ path, legacySources: false }),
      plugins: [new ExactModelPolicy()],
    });

  const cold: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    const pool = session(join(dir, `opencode-cold-${i}`));
    const started = performance.now();
    await pool.getOrSpawn(request);
    cold.push(performance.now() - started);
    await pool.stopAll();
  }

  const registry = join(dir, "opencode-reuse");
  const owner = session(registry);
  await owner.getOrSpawn(request);
  const reuse: number[] = [];
  try {
    for (let i = 0; i < reuseRuns; i++) {
      const pool = session(registry);
      const started = performance.now();
      const lease = await pool.getOrSpawn(request);
      reuse.push(performance.now() - started);
      if (lease.decision.outcome !== "reused") throw new Error(`expected a reuse: ${lease.decision.reason}`);
    }
  } finally {
    await owner.stopAll();
  }
  return { cold: summarize(cold), reuse: summarize(reuse), coldRuns, reuseRuns };
}
