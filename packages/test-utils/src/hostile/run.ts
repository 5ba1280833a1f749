// `npm run test:hostile`: every safety race (`*.race.test.ts`) in a hostile world this runner makes and
// removes. CPU load at 4x the cores from busy processes of its own (in one process group, ended on exit,
// on SIGINT/SIGTERM/SIGHUP, and by themselves if this runner is SIGKILLed); the races' participants
// paused with SIGSTOP at random and their registry writes delayed with strace (in the test processes, see
// participants.ts); full-disk races on a small tmpfs where mounting is permitted. Each race runs
// MODELPOOL_RACE_RUNS times (20 unless set); the counts races report are summed and printed as
// "N races x M runs, V violations". Exits 0 only when vitest passed and no race broke its invariant.
//
// Usage: node --import tsx packages/test-utils/src/hostile/run.ts [--json <vitest JSON report>] [vitest args]
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CpuLoad, startCpuLoad } from "./cpu-load.js";
import { smallDiskUnavailable } from "./mount.js";
import type { RaceCount } from "./reporter.js";
import { straceMissing } from "./strace.js";
import { type Attack, HOSTILE_ENV, RACE_REPORT_ENV, RACE_RUNS_ENV } from "./world.js";

const ROOT = resolve(fileURLToPath(new URL("../../../..", import.meta.url)));
const REQUIRED_RUNS = 20;
const LOAD_FACTOR = 4;

const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const scratch = mkdtempSync(join(tmpdir(), "modelpool-hostile-"));
const json = jsonAt >= 0 ? resolve(args.splice(jsonAt, 2)[1] as string) : join(scratch, "vitest.json");
const reportFile = join(scratch, "races.jsonl");
writeFileSync(reportFile, "");
const runs = Number(process.env[RACE_RUNS_ENV] ?? REQUIRED_RUNS);

const attacks: Attack[] = ["load", "pause"];
const missingStrace = straceMissing();
if (missingStrace) console.log(`hostile: no delayed writes: ${missingStrace}`);
else attacks.push("strace");
const noDisk = smallDiskUnavailable();
if (noDisk) console.log(`hostile: full-disk races skipped: ${noDisk}`);
else attacks.push("enospc");

let load: CpuLoad | undefined;
let vitest: ReturnType<typeof spawn> | undefined;
const cleanUp = () => {
  load?.stop();
  rmSync(scratch, { recursive: true, force: true });
};
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.log(`hostile: ${signal}: ending the load and the tests`);
    // vitest runs in a process group of its own: its workers and the races' participants end with it.
    if (vitest?.pid !== undefined) {
      try {
        process.kill(-vitest.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    cleanUp();
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

load = startCpuLoad(LOAD_FACTOR);
console.log(
  `hostile: ${load.processes} busy processes (${LOAD_FACTOR}x the cores, group ${load.pgid}); attacks: ${attacks.join(", ")}; ${runs} runs of each race`,
);
const started = performance.now();
vitest = spawn(
  process.execPath,
  [
    join(ROOT, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    join(ROOT, "vitest.hostile.config.ts"),
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${json}`,
    ...args,
  ],
  {
    cwd: ROOT,
    stdio: "inherit",
    detached: true, // its own process group, so an interrupted run can end all of it (see the signals above)
    env: {
      ...process.env,
      [HOSTILE_ENV]: attacks.join(","),
      [RACE_RUNS_ENV]: String(runs),
      [RACE_REPORT_ENV]: reportFile,
    },
  },
);
const code = await new Promise<number>((done) =>
  vitest?.once("exit", (status, signal) => done(status ?? (signal ? 1 : 0))),
);
load.stop();
const minutes = ((performance.now() - started) / 60_000).toFixed(1);

type VitestReport = {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
};

const reported = readFileSync(reportFile, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as RaceCount);
const races = new Map<string, RaceCount>();
for (const count of reported) {
  const key = `${count.file} > ${count.race}`;
  const seen = races.get(key);
  races.set(
    key,
    seen ? { ...seen, runs: seen.runs + count.runs, violations: seen.violations + count.violations } : count,
  );
}
// Tests in race files that report no counts (a plain test beside a race, or a race that loops on
// MODELPOOL_RACE_RUNS itself without reportRace): their outcome is listed, a failure fails the suite,
// and they are not counted as races.
const report = existsSync(json) ? (JSON.parse(readFileSync(json, "utf8")) as VitestReport) : undefined;
const racesOf = new Set([...races.values()].map((count) => `${resolve(ROOT, count.file)} > ${count.race}`));
const uncounted: string[] = [];
for (const file of report?.testResults ?? []) {
  for (const test of file.assertionResults) {
    if (racesOf.has(`${file.name} > ${test.fullName}`)) continue;
    if (test.status === "passed" || test.status === "failed") {
      uncounted.push(`${test.status}  ${relative(ROOT, file.name)} > ${test.fullName}`);
    }
  }
}

console.log("\nhostile: races");
for (const [key, count] of races) {
  const detail = Object.entries(count.detail ?? {}).map(([what, n]) => `${n} ${what}`);
  console.log(`  ${[`${count.runs} runs`, ...detail, `${count.violations} violations`].join(", ")}  ${key}`);
}
if (uncounted.length > 0) {
  console.log(`hostile: ${uncounted.length} tests in race files reported no counts (not counted as races):`);
  for (const line of uncounted) console.log(`  ${line}`);
}
const all = [...races.values()];
const violations = all.reduce((sum, count) => sum + count.violations, 0);
const fewest = all.length > 0 ? Math.min(...all.map((count) => count.runs)) : 0;
const tooFew = all.filter((count) => count.runs < Math.min(runs, REQUIRED_RUNS));
console.log(
  `hostile: ${minutes} min; tests ${report?.numPassedTests ?? 0} passed, ${report?.numFailedTests ?? "?"} failed`,
);
// Each race ran at least `fewest` times (some may repeat more inside a run of their own).
console.log(`${all.length} races x ${fewest} runs, ${violations} violations`);
if (tooFew.length > 0)
  console.log(`hostile: ${tooFew.length} races ran fewer than ${Math.min(runs, REQUIRED_RUNS)} times`);
process.exitCode = code !== 0 || violations > 0 || tooFew.length > 0 || all.length === 0 ? 1 : 0;
