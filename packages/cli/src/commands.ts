import {
  abandonedReason,
  checkRecordLiveness,
  type DeviceRegistry,
  leaseUsage,
  type ModelPolicy,
  type PoolPlugin,
  type RegistryStore,
  stopAbandonedWorkers,
  type UnreadableRecord,
  type WorkerBackend,
  WorkerPool,
  type WorkerRecord,
} from "@modelpool/core";
import type { CommandIo } from "./command-specs.js";
import { escapeControl } from "./escape-control.js";
import { ExitCode } from "./exit-codes.js";
import { formatAge, formatTable } from "./format-table.js";
import { loadPolicies } from "./load-policy.js";
import type { PolicyRequest } from "./policy-requests.js";
import { UsageError } from "./usage-error.js";

export type CommandOutput = { readonly json: unknown; readonly text: string; readonly exitCode?: ExitCode };

/** Each record with what `ls` and `stats` both show: is it its recorded process, and who leases it. */
function describeWorkers(records: readonly WorkerRecord[], hostId: string) {
  return records.map((record) => ({
    record,
    alive: checkRecordLiveness(record, hostId),
    usage: leaseUsage(record),
  }));
}

function unreadableNote(unreadable: readonly UnreadableRecord[]): string[] {
  return unreadable.map(({ location, reason }) =>
    escapeControl(`unreadable record kept as it is: ${location}: ${reason}`),
  );
}

export async function listWorkers(registry: RegistryStore, now = Date.now()): Promise<CommandOutput> {
  const read = await registry.scan();
  const rows = describeWorkers(read.records, registry.hostId);
  const text = formatTable(
    ["WORKER", "MODEL", "POLICY", "STATUS", "PID", "ALIVE", "LEASES", "IDLE", "URL", "AGE", "HOST", "LOG"],
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
      record.host === undefined || record.host === registry.hostId ? "this" : escapeControl(record.host),
      escapeControl(record.logPath ?? "-"),
    ]),
  );
  return {
    json: {
      path: registry.location,
      workers: rows.map(({ record, alive, usage }) => ({
        ...record,
        alive: alive.ok,
        ...(alive.ok ? {} : { notAliveReason: alive.reason }),
        leases: usage.leases,
        idleMs: usage.leases > 0 ? 0 : now - usage.idleSince,
      })),
      unreadable: read.unreadable,
      held: read.held ?? [],
    },
    text: [
      escapeControl(`registry ${registry.location}`),
      rows.length ? text : "(no workers)",
      ...unreadableNote(read.unreadable),
      ...(read.held ?? []).map((h) =>
        escapeControl(
          `${h.what} on ${h.workerId}${h.recordId ? ` ${h.recordId}` : ""} held by process ${h.pid}${h.start ? ` (started ${h.start})` : ""}`,
        ),
      ),
    ].join("\n"),
  };
}

/** What the registry can tell about every process's workers (a pool's own counters are `pool.stats()`). */
export async function registryStats(registry: RegistryStore, now = Date.now()): Promise<CommandOutput> {
  const read = await registry.scan();
  const workers = describeWorkers(read.records, registry.hostId);
  const live = workers.filter((w) => w.alive.ok && (w.record.status === "ready" || w.record.status === "busy"));
  const count = <K extends string>(keys: K[]) =>
    keys.reduce<Record<string, number>>((acc, key) => {
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
  const idle = live.filter((w) => w.usage.leases === 0).map((w) => now - w.usage.idleSince);
  const summary = {
    path: registry.location,
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
    unreadableEntries: read.unreadable.length,
  };
  const text = [
    escapeControl(`registry ${registry.location}`),
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
    ...(summary.unreadableEntries ? [`unreadable records kept as they are: ${summary.unreadableEntries}`] : []),
  ].join("\n");
  return { json: summary, text };
}

/**
 * Which of this host's left-over workers `prune --stop` stops, and which it keeps warm. Left over: its
 * owner is gone and no live process holds a lease on it (`abandonedReason`). A start whose spawner died and
 * a draining worker (its stop was asked for) are always stopped; a ready worker only once idle past its
 * own TTL, or with `allIdle`: a worker left for the next session is what reuse is for.
 */
export function planStops(
  records: readonly WorkerRecord[],
  hostId: string,
  options: { allIdle?: boolean; now?: number } = {},
): { stop: { record: WorkerRecord; reason: string }[]; keep: { record: WorkerRecord; idleMs: number }[] } {
  const now = options.now ?? Date.now();
  const stop: { record: WorkerRecord; reason: string }[] = [];
  const keep: { record: WorkerRecord; idleMs: number }[] = [];
  for (const record of records) {
    const abandoned = abandonedReason(record, hostId);
    if (abandoned === undefined) continue;
    if (record.status === "starting") {
      stop.push({ record, reason: abandoned });
      continue;
    }
    // A drain its owner could not finish (it exited while another process, perhaps of another host, still
    // held the worker): the stop was asked for, so nothing is kept warm. Only this host gets here.
    if (record.draining) {
      stop.push({ record, reason: `${abandoned}, draining (its stop was asked for while a lease held it)` });
      continue;
    }
    const idleMs = now - leaseUsage(record).idleSince;
    if (record.idleTtlMs !== undefined && idleMs >= record.idleTtlMs) {
      stop.push({
        record,
        reason: `${abandoned}, idle past its TTL (${formatAge(idleMs)} ≥ ${formatAge(record.idleTtlMs)})`,
      });
    } else if (options.allIdle) {
      stop.push({ record, reason: `${abandoned}, idle ${formatAge(idleMs)} (--all-idle)` });
    } else {
      keep.push({ record, idleMs });
    }
  }
  return { stop, keep };
}

export async function pruneRegistry(
  registry: RegistryStore,
  options: { stop?: boolean; allIdle?: boolean; io?: CommandIo } = {},
): Promise<CommandOutput> {
  if (!registry.prune)
    throw new UsageError(`registry ${registry.location} expires its records itself: nothing to prune`);
  const plan = options.stop ? planStops(await registry.list(), registry.hostId, options) : { stop: [], keep: [] };
  if (plan.stop.length > 0) {
    options.io?.say(
      `will stop ${plural(plan.stop.length, "worker")}\n${formatTable(
        ["WORKER", "PID", "STATUS", "WHY"],
        plan.stop.map(({ record, reason }) => [
          escapeControl(record.workerId),
          String(record.pid),
          record.status,
          escapeControl(reason),
        ]),
      )}`,
    );
  }
  const why = new Map(plan.stop.map(({ record, reason }) => [record.id, reason]));
  const stopped = (
    await stopAbandonedWorkers(
      registry,
      plan.stop.map(({ record }) => record),
    )
  ).map((done) => ({
    ...done,
    reason: why.get(done.record.id) ?? done.reason,
  }));
  const pruned = await registry.prune();
  const where = escapeControl(`registry ${registry.location}`);
  const stoppedText = stopped.length
    ? `stopped ${plural(stopped.length, "worker")}\n${formatTable(
        ["WORKER", "PID", "STATUS", "OUTCOME", "WHY"],
        stopped.map(({ record, reason, report }) => [
          escapeControl(record.workerId),
          String(record.pid),
          record.status,
          report.outcome,
          escapeControl(reason),
        ]),
      )}\n`
    : options.stop
      ? "no left-over worker to stop\n"
      : "";
  const keptText = plan.keep.length
    ? `kept ${plural(plan.keep.length, "idle worker")} warm for the next session (no TTL, or not idle past it; --all-idle stops them too): ${plan.keep
        .map(({ record, idleMs }) => `${escapeControl(record.workerId)} pid ${record.pid} idle ${formatAge(idleMs)}`)
        .join(", ")}\n`
    : "";
  const text =
    stoppedText +
    keptText +
    (pruned.length
      ? `pruned ${plural(pruned.length, "record")} from ${where}\n${formatTable(
          ["WORKER", "PID", "STATUS", "REASON"],
          pruned.map(({ record, reason }) => [
            escapeControl(record.workerId),
            String(record.pid),
            record.status,
            escapeControl(reason),
          ]),
        )}`
      : `nothing to prune in ${where}`);
  return {
    json: {
      path: registry.location,
      pruned,
      ...(options.stop ? { stopped, kept: plan.keep.map(({ record, idleMs }) => ({ record, idleMs })) } : {}),
    },
    text,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Copies the workers of legacy single-file registries into the registry directory; the legacy files stay as they are. */
export async function migrateLegacy(registry: DeviceRegistry): Promise<CommandOutput> {
  const result = await registry.migrateLegacy();
  const sources = registry.legacySources.map((source) => source.path);
  const text = [
    escapeControl(
      `registry ${registry.location}; read from ${sources.join(", ") || "(no legacy sources)"} (left as they are)`,
    ),
    `copied ${result.copied.length} worker record${result.copied.length === 1 ? "" : "s"}`,
    ...(result.copied.length
      ? [
          formatTable(
            ["WORKER", "ID", "PID", "MODEL"],
            result.copied.map((r) => [
              escapeControl(r.workerId),
              escapeControl(r.id),
              String(r.pid),
              escapeControl(r.fingerprint?.resolvedModel ?? "(none recorded)"),
            ]),
          ),
        ]
      : []),
    ...result.skipped.map(({ record, reason }) => escapeControl(`skipped ${record.workerId} ${record.id}: ${reason}`)),
    ...unreadableNote(result.unreadable),
  ].join("\n");
  return {
    json: { path: registry.location, sources, ...result },
    text,
    ...(result.unreadableSources.length ? { exitCode: ExitCode.REGISTRY } : {}),
  };
}

/** Explains without spawning or probing over the network: candidates are checked for identity and policies only. */
const NEVER_SPAWNS: WorkerBackend = {
  name: "modelpool-cli",
  spawn: () => Promise.reject(new Error("modelpool explain never spawns")),
};

export async function explainDecision(
  registry: RegistryStore,
  args: {
    workerId: string;
    model: string;
    modelPolicy: ModelPolicy | undefined;
    attributes?: Record<string, string | number | boolean> | undefined;
    policies: readonly (PolicyRequest | string)[];
  },
): Promise<CommandOutput> {
  const { modelPolicy, attributes } = args;
  // One after another: a module that fails to load stops the rest before they are loaded (and run).
  const plugins: PoolPlugin[] = [];
  for (const policy of args.policies) plugins.push(...(await loadPolicies(policy)));
  const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry, plugins });
  const warnings: string[] = [];
  pool.hooks.warning.tap("modelpool-cli", (warning) => {
    warnings.push(`warning ${warning.code}: ${escapeControl(warning.message)}`);
  });
  const decision = await pool.explain({
    workerId: args.workerId,
    fingerprint: {
      resolvedModel: args.model,
      ...(modelPolicy ? { modelPolicy } : {}),
      ...(attributes ? { attributes } : {}),
    },
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
