import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bystanders, fixtureRecords, writeOrchestratorFile, writeRegistryDirectory } from "./registry-fixture.js";
import { summarize } from "./stats.js";

const run = promisify(execFile);
type Summary = { median: number; p95: number };
export type FirstDecisionRow = { size: number; baseline: Summary; modelpool: Summary; construct: Summary };
export type ImportRow = { specifier: string; time: Summary };

async function childTimes(args: string[]): Promise<{ ms: number; constructMs?: number }> {
  const { stdout } = await run(process.execPath, args, { cwd: fileURLToPath(new URL(".", import.meta.url)) });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as { ms: number; constructMs?: number };
}

async function childMs(args: string[]): Promise<number> {
  return (await childTimes(args)).ms;
}

/**
 * The first-decision child, compiled to JavaScript next to node_modules so that plain `node` runs it and
 * resolves @modelpool/* through their package.json exports to the built dist (users do not run our
 * TypeScript through tsx, whose loader hooks and source maps slow every first call). Returns its path.
 */
async function compileFirstDecisionChild(): Promise<string> {
  const root = new URL("..", import.meta.url);
  const tsc = fileURLToPath(new URL("node_modules/typescript/bin/tsc", root));
  await run(process.execPath, [tsc, "-p", fileURLToPath(new URL("tsconfig.children.json", import.meta.url))]);
  return fileURLToPath(new URL("node_modules/.cache/modelpool-bench/first-decision-child.js", root));
}

/** The first decision of a brand-new OS process (imports excluded), `runs` fresh processes per size. */
export async function measureFirstDecision(
  dir: string,
  sizes: readonly number[],
  runs = 7,
): Promise<FirstDecisionRow[]> {
  const people = bystanders();
  const script = await compileFirstDecisionChild();
  const rows: FirstDecisionRow[] = [];
  try {
    for (const size of sizes) {
      const records = fixtureRecords(size, people, false);
      const naivePath = join(dir, `first-${size}.json`);
      const registryPath = join(dir, `first-${size}`);
      await writeOrchestratorFile(naivePath, records);
      await writeRegistryDirectory(registryPath, records);
      // The disk settles first: writeback of what earlier sections wrote is no part of a first decision.
      await settleDisk();
      const baseline: number[] = [];
      const modelpool: number[] = [];
      const construct: number[] = [];
      for (let i = 0; i < runs; i++) {
        baseline.push(await childMs([script, "baseline", naivePath]));
        const times = await childTimes([script, "modelpool", registryPath]);
        modelpool.push(times.ms);
        construct.push(times.constructMs ?? 0);
      }
      rows.push({
        size,
        baseline: summarize(baseline),
        modelpool: summarize(modelpool),
        construct: summarize(construct),
      });
    }
  } finally {
    people.stop();
  }
  return rows;
}

/** Import time of each package from its built files, each in a fresh process. */
export async function measureImports(specifiers: readonly string[], runs = 7): Promise<ImportRow[]> {
  const script = fileURLToPath(new URL("./import-child.mjs", import.meta.url));
  const rows: ImportRow[] = [];
  for (const specifier of specifiers) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await childMs([script, specifier]));
    rows.push({ specifier, time: summarize(times) });
  }
  return rows;
}

/** Flushes dirty pages (`sync`) and waits a moment, so that background writeback does not land in a measure. */
async function settleDisk(): Promise<void> {
  await run("sync", []);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
