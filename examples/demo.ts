// npm start: real worker processes, a real registry, and every kind of decision.
//   npm start -- --registry /tmp/demo-registry.json    (default: $MODELPOOL_REGISTRY, else your default registry)
import { parseArgs } from "node:util";
import { type Decision, defaultRegistryPath, WorkerPool, type WorkerRequest } from "@modelpool/core";
import { FamilyPolicy } from "@modelpool/policy-family";
import { modelServerBackend } from "./worker/backend.js";

const { values: flags } = parseArgs({ options: { registry: { type: "string" } } });
const registry = flags.registry ?? defaultRegistryPath();
const registrySource = flags.registry
  ? "given with --registry"
  : process.env.MODELPOOL_REGISTRY
    ? "from $MODELPOOL_REGISTRY"
    : "your default registry: other modelpool processes on this machine see these workers; --registry <path> picks another";
const pool = new WorkerPool({ backend: modelServerBackend(), registry, plugins: [new FamilyPolicy()] });

const steps: Array<[string, WorkerRequest]> = [
  ["first request", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } }],
  ["same model again", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } }],
  ["model changed", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-nano" } }],
  ["forceNew", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" }, forceNew: true }],
  ["coder, newer model", { workerId: "coder", fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-5" } }],
  ["coder, older same family", { workerId: "coder", fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-1" } }],
];

console.log(`modelpool demo — registry: ${registry}\n  (${registrySource})\n`);
const rows: string[][] = [];
try {
  for (const [label, request] of steps) {
    const started = performance.now();
    const { worker, decision } = await pool.getOrSpawn(request);
    const ms = (performance.now() - started).toFixed(1);
    rows.push([
      label,
      `${request.workerId} ${request.fingerprint.resolvedModel}`,
      decision.outcome,
      String(worker.pid),
      `${ms} ms`,
      why(decision),
    ]);
  }
  printTable(["step", "request", "outcome", "pid", "took", "why"], rows);
} finally {
  const stopped = await pool.stopAll();
  console.log(`\nstopped the ${stopped.length} workers this demo started`);
  console.log(`\nWhat the registry holds, from any terminal (workers of running pools, with liveness and leases):`);
  console.log(`  npx modelpool ls --registry ${registry}`);
  console.log(`  npx modelpool explain docs openai/gpt-5-mini --policy family --registry ${registry}`);
}

function why(decision: Decision): string {
  if (decision.outcome !== "spawned") return decision.reason;
  const denied = decision.considered.filter((c) => !c.verdict.reuse);
  return denied.length ? `not reused: ${denied.map((c) => c.verdict.reason).join("; ")}` : decision.reason;
}

/** Columns padded to their widest cell; the last one ("why") is never cut, however long. */
function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join(" | ")
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const row of body) console.log(line(row));
}
