import {
  checkRecordedProcess,
  type DeviceRegistry,
  leaseUsage,
  type ModelPolicy,
  type WorkerBackend,
  WorkerPool,
  type WorkerRecord,
} from "@modelpool/core";
import { escapeControl } from "./escape-control.js";
import { formatAge, formatTable } from "./format-table.js";
import { loadPolicies } from "./load-policy.js";

export type CommandOutput = { readonly json: unknown; readonly text: string };

/** Each record with what `ls` and `stats` both show: is it its recorded process, and who leases it. */
function describeWorkers(records: readonly WorkerRecord[]) {
  return records.map((record) => ({ record, alive: checkRecordedProcess(record), usage: leaseUsage(record) }));
}

export async function listWorkers(registry: DeviceRegistry, now = Date.now()): Promise<CommandOutput> {
  const contents = await registry.read();
  const rows = describeWorkers(contents.workers);
  const text = formatTable(
    ["WORKER", "MODEL", "POLICY", "STATUS", "PID", "ALIVE", "LEASES", "IDLE", "URL", "AGE"],
    rows.map(({ record, alive, usage }) => [
      escapeControl(record.workerId),
      escapeControl(record.fingerprint?.resolvedModel ?? "(none recorded)"),
      record.fingerprint?.modelPolicy ?? "-",
      record.draining ? `${record.status},draining` : record.status,
      String(record.pid),
      alive.ok ? "yes" : "no",
      String(usage.leases),
      usage.leases > 0 ? "-" : formatAge(now - usage.idleSince),
      escapeControl(record.url ?? "-"),
      formatAge(now - record.startedAt),
    ]),
  );
  const notes = [
    contents.readOnly ? `registry version ${contents.version} is newer than this modelpool: read-only` : "",
    contents.invalid.length
      ? `${contents.invalid.length} unreadable worker entr${contents.invalid.length === 1 ? "y" : "ies"} kept as they are`
      : "",
  ].filter(Boolean);
  return {
    json: {
      path: registry.path,
      version: contents.version,
      readOnly: contents.readOnly,
      workers: rows.map(({ record, alive, usage }) => ({
        ...record,
        alive: alive.ok,
        ...(alive.ok ? {} : { notAliveReason: alive.reason }),
        leases: usage.leases,
        idleMs: usage.leases > 0 ? 0 : now - usage.idleSince,
      })),
      invalid: contents.invalid,
    },
    text: [`registry ${escapeControl(registry.path)}`, rows.length ? text : "(no workers)", ...notes].join("\n"),
  };
}

/** What the registry can tell about every process's workers (a pool's own counters are `pool.stats()`). */
export async function registryStats(registry: DeviceRegistry, now = Date.now()): Promise<CommandOutput> {
  const contents = await registry.read();
  const workers = describeWorkers(contents.workers);
  const live = workers.filter((w) => w.alive.ok && (w.record.status === "ready" || w.record.status === "busy"));
  const count = <K extends string>(keys: K[]) =>
    keys.reduce<Record<string, number>>((acc, key) => {
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
  const idle = live.filter((w) => w.usage.leases === 0).map((w) => now - w.usage.idleSince);
  const summary = {
    path: registry.path,
    workers: workers.length,
    live: live.length,
    dead: workers.filter((w) => !w.alive.ok).length,
    byStatus: count(workers.map((w) => w.record.status)),
    byWorkerId: count(live.map((w) => w.record.workerId)),
    leases: live.reduce((sum, w) => sum + w.usage.leases, 0),
    leased: live.filter((w) => w.usage.leases > 0).length,
    idle: idle.length,
    draining: live.filter((w) => w.record.draining).length,
    longestIdleMs: idle.length ? Math.max(...idle) : 0,
    oldestMs: live.length ? Math.max(...live.map((w) => now - w.record.startedAt)) : 0,
    unreadableEntries: contents.invalid.length,
  };
  const text = [
    `registry ${escapeControl(registry.path)}`,
    `workers: ${summary.workers} recorded, ${summary.live} live, ${summary.dead} dead (run prune)`,
    `by status: ${
      Object.entries(summary.byStatus)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "-"
    }`,
    `live by workerId: ${
      Object.entries(summary.byWorkerId)
        .map(([k, v]) => `${escapeControl(k)} ${v}`)
        .join(", ") || "-"
    }`,
    `leases: ${summary.leases} held on ${summary.leased} workers; ${summary.idle} idle (longest ${formatAge(summary.longestIdleMs)}); ${summary.draining} draining`,
    `oldest live worker: ${formatAge(summary.oldestMs)}`,
    ...(summary.unreadableEntries ? [`unreadable entries kept as they are: ${summary.unreadableEntries}`] : []),
  ].join("\n");
  return { json: summary, text };
}

export async function pruneRegistry(registry: DeviceRegistry): Promise<CommandOutput> {
  const pruned = await registry.prune();
  const text = pruned.length
    ? formatTable(
        ["WORKER", "PID", "STATUS", "REASON"],
        pruned.map(({ record, reason }) => [
          escapeControl(record.workerId),
          String(record.pid),
          record.status,
          escapeControl(reason),
        ]),
      )
    : "nothing to prune";
  return { json: { path: registry.path, pruned }, text };
}

/** Explains without spawning or probing over the network: candidates are checked for identity and policies only. */
const NEVER_SPAWNS: WorkerBackend = {
  name: "modelpool-cli",
  spawn: () => Promise.reject(new Error("modelpool explain never spawns")),
};

export async function explainDecision(
  registry: DeviceRegistry,
  args: { workerId: string; model: string; modelPolicy: ModelPolicy | undefined; policies: readonly string[] },
): Promise<CommandOutput> {
  const modelPolicy = args.modelPolicy;
  const plugins = (await Promise.all(args.policies.map((policy) => loadPolicies(policy)))).flat();
  const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry, plugins });
  const warnings: string[] = [];
  pool.hooks.warning.tap("modelpool-cli", (warning) => {
    warnings.push(`warning ${warning.code}: ${escapeControl(warning.message)}`);
  });
  const decision = await pool.explain({
    workerId: args.workerId,
    fingerprint: { resolvedModel: args.model, ...(modelPolicy ? { modelPolicy } : {}) },
  });
  const candidates = decision.considered.map(({ candidate, source, verdict }) => [
    describe(candidate),
    source,
    verdict.reuse ? "reuse" : "deny",
    escapeControl(verdict.by ?? "-"),
    escapeControl(verdict.reason),
  ]);
  const text = [
    escapeControl(decision.reason),
    args.policies.length === 0 ? "(no --policy given: with no policy registered nothing is ever reused)" : "",
    candidates.length ? formatTable(["CANDIDATE", "SOURCE", "VERDICT", "BY", "REASON"], candidates) : "no candidates",
    ...warnings,
  ]
    .filter(Boolean)
    .join("\n");
  return { json: { ...decision, warnings }, text };
}

function describe(record: WorkerRecord): string {
  return `${escapeControl(record.fingerprint?.resolvedModel ?? "(no model)")} pid ${record.pid}`;
}
