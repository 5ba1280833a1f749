// Measures that need brand-new OS processes: start → first decision (imports included) and the decision
// alone, system calls per cold decision (strace), allocation and RSS over many decisions, import times.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { premise } from "./leases.js";
import { bystanders, fixtureRecords, writeOrchestratorFile, writeRegistryDirectory } from "./registry-fixture.js";
import { summarize } from "./stats.js";

const run = promisify(execFile);
export type Trials = { median: number; low: number; high: number; runs: number };
export type Who = "baseline" | "floor" | "modelpool";
export type NewProcessRow = {
  size: number;
  total: Record<Who, Trials>;
  decision: Record<Who, Trials>;
  cpu: Record<Who, Trials>;
};
/** `cold`: the median over the trials; `trials`: each trial's count; `top`: the calls of the median trial. */
export type SyscallRow = { who: Who; cold: number; trials: number[]; top: string };
export type AllocationRow = {
  decisions: number;
  bytesPerDecision: number;
  rssMb: number[];
  /** The heap in use after a forced collection, after the warm-up and at the end (MB). */
  heapMb: [number, number];
  /** V8's young generation (new space), reserved, after the warm-up and at the end (MB). */
  newSpaceMb: [number, number];
};
export type ImportRow = { specifier: string; time: Trials };

const WHO: readonly Who[] = ["baseline", "floor", "modelpool"];
const root = new URL("..", import.meta.url);

function trials(values: readonly number[]): Trials {
  return { median: summarize(values).median, low: Math.min(...values), high: Math.max(...values), runs: values.length };
}

/**
 * The child (new-process-child.ts), compiled to JavaScript next to node_modules so that plain `node` runs
 * it and resolves @modelpool/* through their package.json exports to the built dist, as users load them
 * (no loader hooks, no source maps). Returns its path.
 */
export async function compileChild(): Promise<string> {
  const tsc = fileURLToPath(new URL("node_modules/typescript/bin/tsc", root));
  await run(process.execPath, [tsc, "-p", fileURLToPath(new URL("tsconfig.children.json", import.meta.url))]);
  return fileURLToPath(new URL("node_modules/.cache/modelpool-bench/new-process-child.js", root));
}

type Fixture = { naive: string; registry: string; leases: string };

async function fixture(dir: string, size: number, people: ReturnType<typeof bystanders>): Promise<Fixture> {
  const records = fixtureRecords(size, people, false);
  const paths = {
    naive: join(dir, `np-${size}.json`),
    registry: join(dir, `np-${size}`),
    leases: join(dir, `np-leases-${size}`),
  };
  mkdirSync(paths.leases);
  await writeOrchestratorFile(paths.naive, records);
  await writeRegistryDirectory(paths.registry, records);
  return paths;
}

const argsOf = (who: Who, f: Fixture) => [who, who === "baseline" ? f.naive : f.registry, f.leases];

async function child(
  args: string[],
  nodeFlags: string[] = [],
): Promise<{ total: number; decision: number; cpuMs: number; stdout: string }> {
  const { stdout } = await run(process.execPath, [...nodeFlags, ...args], { maxBuffer: 64 << 20 });
  const last = JSON.parse(stdout.trim().split("\n").at(-1) as string) as {
    total: number;
    decision: number;
    cpuMs: number;
  };
  return { ...last, stdout };
}

/** Start → first decision and the decision alone, `runs` fresh processes of each kind per size, interleaved. */
export async function measureNewProcess(dir: string, sizes: readonly number[], runs = 7): Promise<NewProcessRow[]> {
  const script = await compileChild();
  const people = bystanders();
  const rows: NewProcessRow[] = [];
  try {
    for (const size of sizes) {
      const f = await fixture(dir, size, people);
      // The disk settles first: writeback of what was just written is no part of a first decision.
      await run("sync", []);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const total = { baseline: [], floor: [], modelpool: [] } as Record<Who, number[]>;
      const decision = { baseline: [], floor: [], modelpool: [] } as Record<Who, number[]>;
      const cpu = { baseline: [], floor: [], modelpool: [] } as Record<Who, number[]>;
      for (let i = 0; i < runs; i++) {
        for (const who of WHO) {
          const times = await child([script, ...argsOf(who, f)]);
          total[who].push(times.total);
          decision[who].push(times.decision);
          cpu[who].push(times.cpuMs);
        }
      }
      const by = (values: Record<Who, number[]>) =>
        Object.fromEntries(WHO.map((who) => [who, trials(values[who])])) as Record<Who, Trials>;
      rows.push({ size, total: by(total), decision: by(decision), cpu: by(cpu) });
    }
  } finally {
    people.stop();
  }
  return rows;
}

/**
 * System calls of one cold decision, counted by `strace -f` (every thread, the thread pool's included) in a
 * child, between two marker calls: a second session's decision after a first one released and closed
 * (its pool constructed before the first marker), the baseline's and the floor's second decision likewise.
 */
export async function measureSyscalls(dir: string, size = 10, runs = 5): Promise<SyscallRow[]> {
  const script = await compileChild();
  const people = bystanders();
  const rows: SyscallRow[] = [];
  try {
    mkdirSync(join(dir, "strace"));
    const f = await fixture(join(dir, "strace"), size, people);
    // Several trials: a decision's own calls do not vary, but a V8 foreground task (a collection's
    // follow-up, posted with an eventfd write) sometimes lands inside the marked span.
    for (const who of WHO) {
      const trials: { count: number; top: string }[] = [];
      for (let trial = 0; trial < runs; trial++) {
        const out = join(dir, `strace-${who}-${trial}.txt`);
        await run("strace", ["-f", "-qq", "-o", out, process.execPath, script, ...argsOf(who, f), "--marked"], {
          maxBuffer: 64 << 20,
        });
        const calls = readFileSync(out, "utf8")
          .split("\n")
          .filter((line) => /^\d+\s+\w+\(/.test(line) && !line.includes("resumed>"));
        const at = (name: string) => calls.findIndex((line) => line.includes(`/modelpool-bench-mark-${name}`));
        const begin = at("begin");
        const end = at("end");
        premise(begin >= 0 && end > begin, `strace saw the ${who} child's markers`);
        const cold = calls.slice(begin + 1, end);
        const counts = new Map<string, number>();
        for (const line of cold) {
          const name = /^\d+\s+(\w+)\(/.exec(line)?.[1] as string;
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        const top = [...counts]
          .sort((a, b) => b[1] - a[1])
          .map(([name, n]) => `${name} ${n}`)
          .join(", ");
        trials.push({ count: cold.length, top });
      }
      const median = [...trials].sort((a, b) => a.count - b.count)[Math.floor(trials.length / 2)] as (typeof trials)[0];
      rows.push({ who, cold: median.count, trials: trials.map((t) => t.count), top: median.top });
    }
  } finally {
    people.stop();
  }
  return rows;
}

/**
 * Bytes allocated on the JavaScript heap per decision + release on one long-lived pool (V8's own count,
 * `--trace-gc-nvp`'s `allocated=` summed between two forced collections around `decisions` decisions,
 * after 1,000 untimed), and the RSS every 1,000 decisions.
 */
export async function measureAllocation(dir: string, decisions = 10_000): Promise<AllocationRow> {
  const script = await compileChild();
  const people = bystanders();
  try {
    mkdirSync(join(dir, "alloc"));
    const f = await fixture(join(dir, "alloc"), 10, people);
    const { stdout } = await child(
      [script, ...argsOf("modelpool", f), "--alloc", String(decisions)],
      ["--expose-gc", "--trace-gc-nvp"],
    );
    const lines = stdout.split("\n");
    const begin = lines.indexOf("BEGIN");
    const end = lines.indexOf("END");
    premise(begin >= 0 && end > begin, "the allocation run printed its bounds");
    let allocated = 0;
    for (const line of lines.slice(begin + 1, end)) {
      const match = /\ballocated=(\d+)/.exec(line);
      if (match) allocated += Number(match[1]);
    }
    premise(allocated > 0, "V8 reported its allocations");
    const memory = JSON.parse(lines.find((line) => line.startsWith('{"rss"')) as string) as {
      rss: number[];
      heap: [number, number];
      newSpace: [number, number];
    };
    const mb = (bytes: number) => bytes / 2 ** 20;
    return {
      decisions,
      bytesPerDecision: allocated / decisions,
      rssMb: memory.rss.map(mb),
      heapMb: [mb(memory.heap[0]), mb(memory.heap[1])],
      newSpaceMb: [mb(memory.newSpace[0]), mb(memory.newSpace[1])],
    };
  } finally {
    people.stop();
  }
}

/** Import time of each package from its built files, each in a fresh process. */
export async function measureImports(specifiers: readonly string[], runs = 7): Promise<ImportRow[]> {
  const script = fileURLToPath(new URL("./import-child.mjs", import.meta.url));
  const rows: ImportRow[] = [];
  for (const specifier of specifiers) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run(process.execPath, [script, specifier], {
        cwd: fileURLToPath(new URL(".", import.meta.url)),
      });
      times.push((JSON.parse(stdout.trim()) as { ms: number }).ms);
    }
    rows.push({ specifier, time: trials(times) });
  }
  return rows;
}
