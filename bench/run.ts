// npm run bench: modelpool side by side with a faithful copy of the seed orchestrator's registry code, in
// one run. Prints the results; `npm run bench -- --write` also writes them to bench/results.md (a tracked
// file, so a run someone makes to try things out never changes the working tree).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { redisServerMissing } from "../packages/test-utils/src/redis-server.js";
import { measureContention, measureSpawnStorm } from "./concurrency.js";
import { fleetSection } from "./fleet-section.js";
import { measureDecisions, measureMemoryHit } from "./lookup.js";
import { measureMixedStorm } from "./mixed-storm.js";
import { measureOpencode } from "./opencode.js";
import { measureFirstDecision, measureImports } from "./startup.js";
import { formatDuration as d, ratio } from "./stats.js";

const { values: flags } = parseArgs({ options: { write: { type: "boolean", default: false } } });
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
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores. Baseline: the seed orchestrator's registry code — read the whole JSON file, \`kill(pid, 0)\` every pid (EPERM counts as dead), prune dead entries and rewrite the file (temp file in the OS temp directory + rename, in place across devices), read it again, filter by workerId, status and model, take the most recently updated; no lock, no cache. modelpool: the registry directory (one file per record). Both measured in this run on the same records; ratios are baseline ÷ modelpool.`,
  );
  say();

  say(`## 1. Reuse decision`);
  say();
  const memory = await measureMemoryHit();
  say(`In-memory hit (a worker this pool spawned, asked for again): median ${d(memory.median)}, p95 ${d(memory.p95)}.`);
  say();
  say(
    `A worker another process recorded, decided without the network probe (section 5 measures a real probe). *cold*: a new session — a new registry instance and a new pool, nothing cached, nothing held, so its lease is written to the registry before the answer (the previous session released its lease and closed, untimed); *after a change*: right after another writer rewrote the worker's record; *warm*: a long-lived pool. Medians (p95 in brackets).`,
  );
  say();
  say(`| entries | pids | baseline | cold | after a change | warm | cold speed-up | after-change speed-up |`);
  say(`|---:|---|---:|---:|---:|---:|---:|---:|`);
  for (const row of await measureDecisions(dir, [10, 100, 1_000, 10_000])) {
    say(
      `| ${row.size.toLocaleString("en")} | ${row.halfDead ? "half dead" : "all alive"} | ${d(row.baseline.median)} (${d(row.baseline.p95)}) | ${d(row.cold.median)} (${d(row.cold.p95)}) | ${d(row.afterChange.median)} (${d(row.afterChange.p95)}) | ${d(row.warm.median)} (${d(row.warm.p95)}) | ${ratio(row.baseline.median, row.cold.median)} | ${ratio(row.baseline.median, row.afterChange.median)} |`,
    );
  }
  say();

  say(`## 2. A brand-new process's first decision, and import times`);
  say();
  say(
    `First decision of a fresh OS process, imports excluded, run as users run it: plain \`node\`, the packages' built dist through their package.json exports, the baseline in the same kind of process (7 processes each; median, p95 in brackets); the pool's construction (options, hooks, policies), once per process, apart:`,
  );
  say();
  say(`| entries | baseline | modelpool decision | speed-up | modelpool construction |`);
  say(`|---:|---:|---:|---:|---:|`);
  for (const row of await measureFirstDecision(dir, [10, 1_000, 10_000])) {
    say(
      `| ${row.size.toLocaleString("en")} | ${d(row.baseline.median)} (${d(row.baseline.p95)}) | ${d(row.modelpool.median)} (${d(row.modelpool.p95)}) | ${ratio(row.baseline.median, row.modelpool.median)} | ${d(row.construct.median)} (${d(row.construct.p95)}) |`,
    );
  }
  say();
  say(`Import time from the built packages, each in a fresh process (median of 7):`);
  say();
  say(`| import | median | p95 |`);
  say(`|---|---:|---:|`);
  for (const row of await measureImports([
    "zod",
    "tapable",
    "@modelpool/core",
    "@modelpool/policy-exact",
    "@modelpool/policy-family",
  ])) {
    say(`| \`${row.specifier}\` | ${d(row.time.median)} | ${d(row.time.p95)} |`);
  }
  say();

  say(`## 3. Contention: 8 OS processes × 50 record writes at once`);
  say();
  say(`| | writes | records kept | lost | wall time | writes/s |`);
  say(`|---|---:|---:|---:|---:|---:|`);
  for (const row of await measureContention(dir)) {
    say(
      `| ${row.mode === "naive" ? "baseline" : "modelpool"} | ${row.written} | ${row.kept} | ${row.lost} | ${d(row.wallMs)} | ${Math.round(row.perSecond)} |`,
    );
  }
  say();

  say(`## 4. Spawn storm: 8 OS processes ask at once for the same workerId and model`);
  say();
  say(`| | spawns | distinct workers | all 8 hold a ready worker after |`);
  say(`|---|---:|---:|---:|`);
  for (const row of await measureSpawnStorm(dir)) {
    say(
      `| ${row.mode === "naive" ? "baseline" : "modelpool"} | ${row.spawns} | ${row.distinctWorkers} | ${d(row.allReadyMs)} |`,
    );
  }
  say();

  say(`## 4b. Mixed storm: 12 OS processes, three models, forceNew, releases, stops and \`modelpool prune\``);
  say();
  const mixed = await measureMixedStorm(dir);
  say(
    `| processes | leases | forced | workers stopped | failed requests | prunes | wrong-model leases | leases on dead workers | orphan processes | duplicate records | left running | wall time |`,
  );
  say(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
  say(
    `| ${mixed.processes} | ${mixed.leases} | ${mixed.forced} | ${mixed.stops} | ${mixed.failures} | ${mixed.prunes} | ${mixed.wrongModel} | ${mixed.deadWorker} | ${mixed.orphans} | ${mixed.duplicateRecords} | ${mixed.leftRunning} | ${d(mixed.wallMs)} |`,
  );
  if (mixed.errors.length > 0) say(`\nFirst failures: ${mixed.errors.map((e) => `\`${e}\``).join("; ")}`);
  say();

  say(`## 5. Reuse versus cold spawn of a real \`opencode serve\``);
  say();
  const oc = await measureOpencode(dir);
  say(`| | runs | median | p95 |`);
  say(`|---|---:|---:|---:|`);
  say(`| cold spawn to \`GET /session\` 200 | ${oc.coldRuns} | ${d(oc.cold.median)} | ${d(oc.cold.p95)} |`);
  say(
    `| reuse by a new session (registry lookup, identity, \`GET /config\` probe) | ${oc.reuseRuns} | ${d(oc.reuse.median)} | ${d(oc.reuse.p95)} |`,
  );
  say();
  say(`Reuse is ${ratio(oc.cold.median, oc.reuse.median)} faster than a cold start (median).`);
  say();

  // The fleet store needs a redis-server (CI installs it); without one, the section says why it is missing.
  const missingRedis = redisServerMissing();
  if (missingRedis) say(`## 6. Fleet registry (Redis)\n\nSkipped: ${missingRedis}.`);
  else for (const line of await fleetSection(dir)) say(line);
} finally {
  await rm(dir, { recursive: true, force: true });
}

if (flags.write) {
  await writeFile(new URL("./results.md", import.meta.url), `${lines.join("\n")}\n`);
  console.log(`\nwritten to bench/results.md`);
} else {
  console.log(`\n(not written: npm run bench -- --write updates bench/results.md)`);
}
