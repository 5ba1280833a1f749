// npm start: real worker processes, the default device registry, and every kind of decision.
import { type Decision, defaultRegistryPath, WorkerPool, type WorkerRequest } from "@modelpool/core";
import { FamilyPolicy } from "@modelpool/policy-family";
import { modelServerBackend } from "./worker/backend.js";

const registry = process.env.MODELPOOL_REGISTRY ?? defaultRegistryPath();
const pool = new WorkerPool({ backend: modelServerBackend(), registry, plugins: [new FamilyPolicy()] });

const steps: Array<[string, WorkerRequest]> = [
  ["first request", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } }],
  ["same model again", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" } }],
  ["model changed", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-nano" } }],
  ["forceNew", { workerId: "docs", fingerprint: { resolvedModel: "openai/gpt-5-mini" }, forceNew: true }],
  ["coder, newer model", { workerId: "coder", fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-5" } }],
  ["coder, older same family", { workerId: "coder", fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-1" } }],
];

console.log(`modelpool demo — registry: ${registry}\n`);
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
}

function why(decision: Decision): string {
  if (decision.outcome !== "spawned") return decision.reason;
  const denied = decision.considered.filter((c) => !c.verdict.reuse);
  return denied.length ? `not reused: ${denied.map((c) => c.verdict.reason).join("; ")}` : decision.reason;
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => Math.min(row[i]?.length ?? 0, 90))));
  const line = (row: string[]) =>
    row.map((cell, i) => (cell.length > 90 ? `${cell.slice(0, 87)}...` : cell).padEnd(widths[i] ?? 0)).join(" | ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const row of body) console.log(line(row));
}
