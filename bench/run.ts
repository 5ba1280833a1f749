// npm run bench: modelpool side by side with the seed orchestrator's own registry functions (the
// baseline) and a floor script (the least a correct cold decision does), in one run. Every measure checks
// its premise and the run fails loudly when one does not hold; every figure is given as a ratio to the
// baseline and to the floor. `npm run bench -- --write` also writes bench/results.md and splices it into
// the README's Benchmarks section (between its `bench:start` and `bench:end` markers).
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { redisServerMissing } from "../packages/test-utils/src/redis-server.js";
import { measureContention, measureSpawnStorm } from "./concurrency.js";
import { measureDecisions, measureMemoryHit, type Summary } from "./decisions.js";
import { fleetSection } from "./fleet-section.js";
import { measureMixedStorm } from "./mixed-storm.js";
import { measureAllocation, measureImports, measureNewProcess, measureSyscalls, type Trials } from "./new-process.js";
import { measureOpencode } from "./opencode.js";
import { formatDuration as d, range, times } from "./stats.js";

const { values: flags } = parseArgs({
  options: {
    write: { type: "boolean", default: false },
    only: { type: "string" },
    scale: { type: "string", default: "1" },
    // Fewer trials of the multi-process rows, for trying a change out; the reported run keeps 5 or more.
    trials: { type: "string" },
  },
});
const only = flags.only?.split(",");
const want = (section: string) => !only || only.includes(section);
const scale = Number(flags.scale);
const TRIALS = flags.trials ? Number(flags.trials) : Math.max(5, Math.round(5 * scale));

const dir = await mkdtemp(join(tmpdir(), "modelpool-bench-"));
const lines: string[] = [];
const say = (line = "") => {
  lines.push(line);
  console.log(line);
};
/** Where each target stands, said at the end, computed from this run's figures. */
const targets: string[] = [];
const target = (met: boolean, text: string) => targets.push(`- ${met ? "**met**" : "**not met**"}: ${text}`);
const ms = (s: Summary) => `${d(s.median)} (${d(s.p95)})`;
const tr = (t: Trials) => `${d(t.median)} (${range([t.low, t.high], d)})`;
/** Sections that failed (a premise that did not hold, a crash): said in the results, and the run exits 1. */
const failures: string[] = [];
async function section(name: string, body: () => Promise<void>): Promise<void> {
  if (!want(name)) return;
  try {
    await body();
  } catch (error) {
    const message = `section ${name} FAILED: ${(error as Error).stack ?? error}`;
    failures.push(message);
    say(`\n**${message.split("\n")[0]}**\n`);
  }
  // Each finished section is on disk at once: a run stopped part-way leaves what it measured (said as such).
  if (flags.write) {
    await writeFile(
      new URL("./results.md", import.meta.url),
      `${lines.join("\n")}\n\n(run in progress: sections after ${name} not measured yet)\n`,
    );
  }
}
const subdir = async (name: string) => {
  const path = join(dir, name);
  await mkdir(path);
  return path;
};

const HOW = [
  "**in-memory hit**: a pool asks again for a worker it spawned itself (no registry), 2,000 timed after 5,000 untimed.",
  "**baseline** (section 1): the orchestrator's lookup on its JSON file holding the same records, in the same process, 150 / 150 / 40 / 15 runs by size.",
  "**floor** (section 1): the floor script on the target's record in modelpool's own directory, its lease file unlinked after each (untimed).",
  "**cold**: a new `DeviceRegistry` and `WorkerPool` per decision, constructed untimed; before each, the previous session's lease is released and its pool closed (untimed) and the disk is checked to hold no lease of this process; after each, exactly one lease entry of this process is on disk — else the bench stops.",
  "**after a change**: a long-lived pool; before each decision, its previous lease is released and another OS process (change-child.ts) rewrites the record and says so; after each, one lease entry on disk.",
  "**warm, released**: a long-lived pool; its lease released (untimed) after each decision, so each decision writes it again; checked on disk.",
  "**warm, held**: a long-lived pool keeping every lease (released at the end, checked): one lease entry on disk counts them.",
  "**start → decision**: `performance.now()` at the end of a fresh `node` process's first decision (Node's time origin is the process's start); the modelpool child checks on disk that its lease was written, and released after.",
  "**decision** (section 2): the same first decision alone, imports and construction excluded.",
  "**import time**: `await import(x)` in a fresh process, timed inside it.",
  "**system calls**: `strace -f -qq` on a child, syscall lines between two `stat` calls of marker paths around a second cold decision of its process (`resumed` halves not counted twice); 5 trials, the median reported (a V8 foreground task's eventfd write sometimes lands in the span).",
  "**allocation**: `--trace-gc-nvp`'s `allocated=` summed between two forced collections around 10,000 decisions + releases on one pool; RSS from `process.memoryUsage()` every 1,000; the heap in use after each forced collection (retained memory) and the new space's size (`v8.getHeapSpaceStatistics()`) beside it.",
  "**contention**: N processes (tsx, imports done, then released together) each write 50 records of their own; wall time from the common start to the last process's end; records kept counted after.",
  "**spawn storm**: 8 processes ask at once for one workerId and model; spawns counted from their reports; time until all 8 hold a ready worker.",
  "**mixed storm**: 12 processes run a random mix of requests, forceNew, releases, stops and prunes; a checker reads the whole history after.",
  "**opencode**: a real `opencode serve` spawned cold (to `GET /session` 200) versus reused by a new session (lookup, identity, `GET /config`).",
];

try {
  say(`# modelpool benchmarks`);
  say();
  say(
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores shared with other jobs (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        " / ",
      )} at the start): read the ratios, measured side by side in one run. **Baseline**: the seed orchestrator's own registry functions, verbatim — read the whole JSON file, \`kill(pid, 0)\` every pid, prune dead entries and rewrite the file, read it again, filter, take the most recently updated; no lock, no cache, no lease. **Floor**: the least a correct cold decision does — list the workerId's directory, read one small record, read \`/proc/<pid>/stat\` for the start time, create one lease file with flag \`'wx'\` (no validation, no policy). **modelpool**: the registry directory (one file per record), a \`WorkerPool\` with \`ExactModelPolicy\`, no network probe. Ratios: _÷ floor_ is modelpool's time over the floor's (1x is the floor); _speed-up_ is the baseline's time over modelpool's.`,
  );
  say();

  await section("decide", async () => {
    say(`## 1. Reuse decision, in a running process`);
    say();
    const memory = await measureMemoryHit();
    say(
      `In-memory hit (a worker this pool spawned, asked for again): median ${d(memory.median)}, p95 ${d(memory.p95)}.`,
    );
    say();
    say(
      `Median (p95). _cold_: a new session (new registry instance and pool) whose lease is written before the answer; _after a change_: a long-lived pool whose lease was released, right after another OS process rewrote the record; _warm_: a long-lived pool, its lease released after each decision (so each writes it again) or held (one lease entry counting them).`,
    );
    say();
    say(
      `| records | baseline | floor | cold | cold ÷ floor | cold speed-up | after a change | ÷ floor | speed-up | warm, released | warm, held | runs (baseline / others) | premise checks |`,
    );
    say(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|`);
    const rows = await measureDecisions(dir, [10, 100, 1_000, 10_000], scale);
    let previousChecks = 0;
    for (const r of rows) {
      say(
        `| ${r.size.toLocaleString("en")} | ${ms(r.baseline)} | ${ms(r.floor)} | ${ms(r.cold)} | ${times(r.cold.median, r.floor.median)} | ${times(r.baseline.median, r.cold.median)} | ${ms(r.afterChange)} | ${times(r.afterChange.median, r.floor.median)} | ${times(r.baseline.median, r.afterChange.median)} | ${ms(r.warmReleased)} | ${ms(r.warmHeld)} | ${r.baseline.runs} / ${r.cold.runs} | ${r.checks - previousChecks} passed |`,
      );
      previousChecks = r.checks;
    }
    say();
    const worstFloor = Math.max(
      ...rows.flatMap((r) => [r.cold.median / r.floor.median, r.afterChange.median / r.floor.median]),
    );
    target(
      worstFloor <= 1.5,
      `cold decision ≤ 1.5x the floor at every size, and after a change: at most ${worstFloor.toFixed(2)}x`,
    );
    const at10 = rows.find((r) => r.size === 10);
    if (at10) {
      target(
        at10.cold.median <= at10.baseline.median,
        `cold decision no slower than the baseline at 10 records: ${times(at10.baseline.median, at10.cold.median)} speed-up`,
      );
    }
    const big = rows.filter((r) => r.size >= 1_000);
    const worstBig = Math.min(...big.map((r) => r.baseline.median / r.cold.median));
    target(
      worstBig >= 10,
      `cold decision ≥ 10x faster than the baseline from 1,000 records: at least ${worstBig.toFixed(0)}x`,
    );
  });

  await section("process", async () => {
    say(`## 2. A brand-new process: start → first decision, imports included`);
    say();
    say(
      `Each a fresh \`node\` process running the packages' built dist as users do; _start → decision_ is from the process's start (Node's time origin, before its bootstrap) to the end of its first decision, imports included; _CPU time_ is the process's (every thread) over the same span, steadier than wall time on a busy machine; _decision_ is that decision alone. Median (range over the trials); ratios of medians.`,
    );
    say();
    say(
      `| records | trials | baseline start → decision | floor | modelpool | ÷ baseline | ÷ floor | CPU time ÷ baseline | ÷ floor | baseline decision | floor | modelpool | ÷ baseline | ÷ floor |`,
    );
    say(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
    const rows = await measureNewProcess(dir, [10, 100, 1_000, 10_000], Math.max(7, Math.round(7 * scale)));
    for (const r of rows) {
      const t = r.total;
      const o = r.decision;
      say(
        `| ${r.size.toLocaleString("en")} | ${t.modelpool.runs} | ${tr(t.baseline)} | ${tr(t.floor)} | ${tr(t.modelpool)} | ${times(t.modelpool.median, t.baseline.median)} | ${times(t.modelpool.median, t.floor.median)} | ${times(r.cpu.modelpool.median, r.cpu.baseline.median)} | ${times(r.cpu.modelpool.median, r.cpu.floor.median)} | ${tr(o.baseline)} | ${tr(o.floor)} | ${tr(o.modelpool)} | ${times(o.modelpool.median, o.baseline.median)} | ${times(o.modelpool.median, o.floor.median)} |`,
      );
    }
    say();
    const small = rows.find((r) => r.size === 10);
    if (small) {
      const x = small.total.modelpool.median / small.total.baseline.median;
      target(x <= 1.3, `a new process's start → first decision ≤ 1.3x the baseline's at 10 records: ${x.toFixed(2)}x`);
    }
    const big = rows.filter((r) => r.size >= 1_000);
    const worst = Math.max(...big.map((r) => r.total.modelpool.median / r.total.baseline.median));
    target(
      worst <= 1,
      `start → first decision no slower than the baseline from 1,000 records: at most ${worst.toFixed(2)}x`,
    );

    say(`Import time from the built packages, each in a fresh process (median, range):`);
    say();
    say(`| import | trials | time |`);
    say(`|---|---:|---:|`);
    const imports = await measureImports(["zod", "zod/mini", "tapable", "@modelpool/core", "@modelpool/policy-exact"]);
    for (const row of imports) {
      say(`| \`${row.specifier}\` | ${row.time.runs} | ${tr(row.time)} |`);
    }
    say();
    const zod = imports.find((row) => row.specifier === "zod")?.time.median ?? Number.NaN;
    const core = imports.find((row) => row.specifier === "@modelpool/core")?.time.median ?? Number.NaN;
    say(`Import of \`@modelpool/core\` ÷ \`zod\` alone (medians): ${(core / zod).toFixed(2)}x.`);
    say();
    target(
      core / zod <= 0.5,
      `import of @modelpool/core ≤ 0.5x zod alone: ${(core / zod).toFixed(2)}x (core carries the part of zod it uses, inlined, and builds its schemas at import)`,
    );
  });

  await section("syscalls", async () => {
    say(`## 3. System calls per cold decision (10 records)`);
    say();
    say(
      `\`strace -f\` (every thread) on a child process, between two marker calls around a second session's decision (the first released and closed before it).`,
    );
    say();
    const rows = await measureSyscalls(dir);
    const floor = rows.find((r) => r.who === "floor")?.cold ?? Number.NaN;
    const baseline = rows.find((r) => r.who === "baseline")?.cold ?? Number.NaN;
    say(`| | system calls (median) | trials | ÷ floor | ÷ baseline | which (the median trial) |`);
    say(`|---|---:|---:|---:|---:|---|`);
    for (const r of rows)
      say(
        `| ${r.who} | ${r.cold} | ${r.trials.join(", ")} | ${times(r.cold, floor)} | ${times(r.cold, baseline)} | ${r.top} |`,
      );
    say();
    const mp = rows.find((r) => r.who === "modelpool")?.cold ?? Number.NaN;
    target(mp <= 25, `≤ 25 system calls per cold decision: ${mp} (floor ${floor})`);
  });

  await section("alloc", async () => {
    say(`## 4. Allocation and RSS per decision + release`);
    say();
    const a = await measureAllocation(dir, 10_000);
    say(
      `A long-lived pool, 10,000 decisions each followed by its release, after 1,000 untimed: ${(a.bytesPerDecision / 1024).toFixed(1)} KB allocated on the JavaScript heap per decision + release (V8's \`--trace-gc-nvp\` \`allocated\`, summed between two forced collections). RSS every 1,000 decisions: ${a.rssMb.map((mb) => mb.toFixed(0)).join(", ")} MB. Heap in use after a forced collection: ${a.heapMb[0].toFixed(1)} MB after the warm-up, ${a.heapMb[1].toFixed(1)} MB at the end (what is retained); V8's young generation reserved ${a.newSpaceMb[0].toFixed(0)} MB → ${a.newSpaceMb[1].toFixed(0)} MB (it grows with the allocation rate, and RSS with it).`,
    );
    say();
    target(
      a.bytesPerDecision <= 30 * 1024,
      `≤ 30 KB allocated per decision + release: ${(a.bytesPerDecision / 1024).toFixed(1)} KB`,
    );
    const growth = (a.rssMb.at(-1) ?? 0) - (a.rssMb[1] ?? 0);
    target(
      growth <= 5,
      `RSS flat after warm-up over 10,000 decisions: ${growth.toFixed(1)} MB from the 1,000th to the last`,
    );
  });

  await section("contention", async () => {
    say(`## 5. Contention: N OS processes × 50 record writes at once`);
    say();
    say(
      `Ranges over ${TRIALS} trials (a fresh file or directory each); _÷ baseline_ is modelpool's wall time over the baseline's, trial by trial.`,
    );
    say();
    say(
      `| processes × writes | trials | baseline lost | baseline wall | modelpool lost | modelpool wall | ÷ baseline |`,
    );
    say(`|---|---:|---:|---:|---:|---:|---:|`);
    for (const processes of [8, 32]) {
      const [naive, mp] = await measureContention(await subdir(`contention-${processes}`), processes, TRIALS);
      if (!naive || !mp) throw new Error("contention measured nothing");
      const ratios = mp.wallMs.map((w, i) => w / (naive.wallMs[i] as number));
      say(
        `| ${processes} × 50 | ${mp.wallMs.length} | ${range(naive.lost, String)} of ${naive.written} | ${range(naive.wallMs, d)} | ${range(mp.lost, String)} | ${range(mp.wallMs, d)} | ${range(ratios, (r) => `${r.toFixed(2)}x`)} |`,
      );
      target(
        Math.max(...mp.lost) === 0,
        `${processes} × 50 registrations lose nothing: ${Math.max(...mp.lost)} lost at most`,
      );
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
      target(
        median(mp.wallMs) <= median(naive.wallMs),
        `${processes} × 50 wall time no slower than the baseline's (medians of the trials): ${times(median(mp.wallMs), median(naive.wallMs))}`,
      );
    }
    say();

    say(`## 6. Spawn storm: 8 OS processes ask at once for the same workerId and model`);
    say();
    const storms = {
      naive: [] as { spawns: number; allReadyMs: number }[],
      modelpool: [] as { spawns: number; allReadyMs: number }[],
    };
    for (let i = 0; i < TRIALS; i++) {
      for (const row of await measureSpawnStorm(await subdir(`storm-${i}`)))
        storms[row.mode as "naive" | "modelpool"].push(row);
    }
    say(`| | trials | spawns | all 8 hold a ready worker after |`);
    say(`|---|---:|---:|---:|`);
    for (const [mode, rows] of Object.entries(storms)) {
      say(
        `| ${mode === "naive" ? "baseline" : "modelpool"} | ${rows.length} | ${range(
          rows.map((r) => r.spawns),
          String,
        )} | ${range(
          rows.map((r) => r.allReadyMs),
          d,
        )} |`,
      );
    }
    say();

    say(`## 7. Mixed storm: 12 OS processes, three models, forceNew, releases, stops and \`modelpool prune\``);
    say();
    say(
      `| trial | leases | forced | stopped | failed | prunes | wrong-model leases | leases on dead workers | orphans | duplicate records | left running | wall |`,
    );
    say(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
    for (let i = 0; i < TRIALS; i++) {
      const m = await measureMixedStorm(await subdir(`mixed-${i}`));
      say(
        `| ${i + 1} | ${m.leases} | ${m.forced} | ${m.stops} | ${m.failures} | ${m.prunes} | ${m.wrongModel} | ${m.deadWorker} | ${m.orphans} | ${m.duplicateRecords} | ${m.leftRunning} | ${d(m.wallMs)} |`,
      );
      if (m.errors.length > 0) say(`\nFirst failures: ${m.errors.map((e) => `\`${e}\``).join("; ")}\n`);
    }
    say();
  });

  await section("opencode", async () => {
    say(`## 8. Reuse versus cold spawn of a real \`opencode serve\``);
    say();
    const oc = await measureOpencode(dir);
    say(`| | runs | median | p95 |`);
    say(`|---|---:|---:|---:|`);
    say(`| cold spawn to \`GET /session\` 200 | ${oc.coldRuns} | ${d(oc.cold.median)} | ${d(oc.cold.p95)} |`);
    say(
      `| reuse by a new session (registry lookup, identity, \`GET /config\` probe) | ${oc.reuseRuns} | ${d(oc.reuse.median)} | ${d(oc.reuse.p95)} |`,
    );
    say();
    say(`Reuse is ${times(oc.cold.median, oc.reuse.median)} faster than a cold start (median).`);
    say();
  });

  await section("fleet", async () => {
    // The fleet store needs a redis-server (CI installs it); without one, the section says why it is missing.
    const missingRedis = redisServerMissing();
    if (missingRedis) say(`## 9. Fleet registry (Redis)\n\nSkipped: ${missingRedis}.\n`);
    else for (const line of await fleetSection(await subdir("fleet"))) say(line);
    say();
  });

  say(`## How each row is measured`);
  say();
  for (const line of HOW) say(`- ${line}`);
  say();
  say(`## Where the targets stand (this run)`);
  say();
  for (const line of targets) say(line);
  if (failures.length > 0) {
    say();
    say(`## Failures`);
    say();
    for (const failure of failures) say(`- ${failure.split("\n")[0]}`);
    process.exitCode = 1;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

if (flags.write) {
  const text = `${lines.join("\n")}\n`;
  await writeFile(new URL("./results.md", import.meta.url), text);
  await spliceIntoReadme(text);
  console.log(`\nwritten to bench/results.md and README.md's Benchmarks section`);
} else {
  console.log(`\n(not written: npm run bench -- --write updates bench/results.md and the README)`);
}

/** The results, one heading level down, between the README's `<!-- bench:start -->` and `<!-- bench:end -->`. */
async function spliceIntoReadme(results: string): Promise<void> {
  const readme = new URL("../README.md", import.meta.url);
  const text = await readFile(readme, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} markers to splice the results into`);
  const body = results
    .split("\n")
    .slice(1) // the title: the README's own heading stands for it
    .map((line) => (line.startsWith("#") ? `##${line}` : line))
    .join("\n")
    .trim();
  await writeFile(readme, `${text.slice(0, from + start.length)}\n\n${body}\n\n${text.slice(to)}`);
}
