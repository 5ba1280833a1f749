// npm run bench: modelpool side by side with a faithful copy of today's orchestrator registry, in one run.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { redisServerMissing } from "../packages/test-utils/src/redis-server.js";
import { measureContention, measureSpawnStorm } from "./concurrency.js";
import { fleetSection } from "./fleet-section.js";
import { measureLookups, measureMemoryHit } from "./lookup.js";
import { measureOpencode } from "./opencode.js";
import { formatDuration as d, ratio } from "./stats.js";

const dir = await mkdtemp(join(tmpdir(), "modelpool-bench-"));
const lines: string[] = [];
const say = (line = "") => {
  lines.push(line);
  console.log(line);
};

try {
  say(`# modelpool benchmarks`);
  say();
  say(
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores. Baseline: read the whole JSON, \`kill(pid, 0)\` every pid, rewrite if any died, read again, filter (no lock, no cache). Both measured in this run; ratios are baseline ÷ modelpool.`,
  );
  say();

  say(`## 1. Reuse decision latency`);
  say();
  const memory = await measureMemoryHit();
  say(`In-memory hit (a worker this pool spawned, asked for again): median ${d(memory.median)}, p95 ${d(memory.p95)}.`);
  say();
  say(
    `Registry hit (a worker another process recorded; decision without the network probe, which section 4 measures):`,
  );
  say();
  say(`| entries | pids | baseline median | baseline p95 | modelpool median | modelpool p95 | speed-up (median) |`);
  say(`|---:|---|---:|---:|---:|---:|---:|`);
  for (const row of await measureLookups(dir, [10, 100, 1_000, 10_000])) {
    say(
      `| ${row.size.toLocaleString("en")} | ${row.halfDead ? "half dead" : "all alive"} | ${d(row.naive.median)} | ${d(row.naive.p95)} | ${d(row.modelpool.median)} | ${d(row.modelpool.p95)} | ${ratio(row.naive.median, row.modelpool.median)} |`,
    );
  }
  say();

  say(`## 2. Contention: 8 OS processes × 50 registry updates at once`);
  say();
  say(`| | updates | entries kept | lost | wall time | updates/s |`);
  say(`|---|---:|---:|---:|---:|---:|`);
  for (const row of await measureContention(dir)) {
    say(
      `| ${row.mode === "naive" ? "baseline" : "modelpool"} | ${row.written} | ${row.kept} | ${row.lost} | ${d(row.wallMs)} | ${Math.round(row.perSecond)} |`,
    );
  }
  say();

  say(`## 3. Spawn storm: 8 OS processes ask at once for the same workerId and model`);
  say();
  say(`| | spawns | distinct workers | all 8 hold a ready worker after |`);
  say(`|---|---:|---:|---:|`);
  for (const row of await measureSpawnStorm(dir)) {
    say(
      `| ${row.mode === "naive" ? "baseline" : "modelpool"} | ${row.spawns} | ${row.distinctWorkers} | ${d(row.allReadyMs)} |`,
    );
  }
  say();

  say(`## 4. Reuse versus cold spawn of a real \`opencode serve\``);
  say();
  const oc = await measureOpencode(dir);
  say(`| | runs | median | p95 |`);
  say(`|---|---:|---:|---:|`);
  say(`| cold spawn to \`GET /session\` 200 | ${oc.coldRuns} | ${d(oc.cold.median)} | ${d(oc.cold.p95)} |`);
  say(
    `| reuse by a new session (registry read, identity, \`GET /config\` probe) | ${oc.reuseRuns} | ${d(oc.reuse.median)} | ${d(oc.reuse.p95)} |`,
  );
  say();
  say(`Reuse is ${ratio(oc.cold.median, oc.reuse.median)} faster than a cold start (median).`);
  say();

  // The fleet store needs a redis-server (CI installs it); without one, the section says why it is missing.
  const missingRedis = redisServerMissing();
  if (missingRedis) say(`## 5. Fleet registry (Redis)\n\nSkipped: ${missingRedis}.`);
  else for (const line of await fleetSection(dir)) say(line);
} finally {
  await rm(dir, { recursive: true, force: true });
}

await writeFile(new URL("./results.md", import.meta.url), `${lines.join("\n")}\n`);
console.log(`\nwritten to bench/results.md`);
