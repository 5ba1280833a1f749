import type { WorkerBackend } from "../backend/worker-backend.js";
import { InvalidRequestError } from "../errors/InvalidRequestError.js";
import { leaseUsage } from "../pool/lease-book.js";
import { WorkerPool } from "../pool/WorkerPool.js";
import { checkRecordLiveness } from "../process/record-liveness.js";
import type { DeviceRegistry } from "../registry/DeviceRegistry.js";
import type { RegistryStore, UnreadableRecord } from "../registry/store/RegistryStore.js";
import { ModelPolicySchema } from "../schema/fingerprint.js";
import { parseOrThrow } from "../schema/parse-or-throw.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { escapeControl, formatAge, formatTable } from "./format-table.js";
import { loadPolicies } from "./load-policy.js";
import { UsageError } from "./usage-error.js";

export type CommandOutput = { readonly json: unknown; readonly text: string };

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
    ["WORKER", "MODEL", "POLICY", "STATUS", "PID", "ALIVE", "LEASES", "IDLE", "URL", "AGE"],
    rows.map(({ record, alive, usage }) => [
      record.workerId,
      record.fingerprint?.resolvedModel ?? "(none recorded)",
      record.fingerprint?.modelPolicy ?? "-",
      record.draining ? `${record.status},draining` : record.status,
      String(record.pid),
      alive.ok ? "yes" : "no",
      String(usage.leases),
      usage.leases > 0 ? "-" : formatAge(now - usage.idleSince),
      record.url ?? "-",
      formatAge(now - record.startedAt),
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
    },
    text: [
      escapeControl(`registry ${registry.location}`),
      rows.length ? text : "(no workers)",
      ...unreadableNote(read.unreadable),
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
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "-"
    }`,
    `leases: ${summary.leases} held on ${summary.leased} workers; ${summary.idle} idle (longest ${formatAge(summary.longestIdleMs)}); ${summary.draining} draining`,
    `oldest live worker: ${formatAge(summary.oldestMs)}`,
    ...(summary.unreadableEntries ? [`unreadable records kept as they are: ${summary.unreadableEntries}`] : []),
  ]
    .map(escapeControl)
    .join("\n");
  return { json: summary, text };
}

export async function pruneRegistry(registry: RegistryStore): Promise<CommandOutput> {
  if (!registry.prune)
    throw new UsageError(`registry ${registry.location} expires its records itself: nothing to prune`);
  const pruned = await registry.prune();
  const where = escapeControl(`registry ${registry.location}`);
  const text = pruned.length
    ? `pruned ${pruned.length} record${pruned.length === 1 ? "" : "s"} from ${where}\n${formatTable(
        ["WORKER", "PID", "STATUS", "REASON"],
        pruned.map(({ record, reason }) => [record.workerId, String(record.pid), record.status, reason]),
      )}`
    : `nothing to prune in ${where}`;
  return { json: { path: registry.location, pruned }, text };
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
              r.workerId,
              r.id,
              String(r.pid),
              r.fingerprint?.resolvedModel ?? "(none recorded)",
            ]),
          ),
        ]
      : []),
    ...result.skipped.map(({ record, reason }) => escapeControl(`skipped ${record.workerId} ${record.id}: ${reason}`)),
    ...unreadableNote(result.unreadable),
  ].join("\n");
  return { json: { path: registry.location, sources, ...result }, text };
}

/** Explains without spawning or probing over the network: candidates are checked for identity and policies only. */
const NEVER_SPAWNS: WorkerBackend = {
  name: "modelpool-cli",
  spawn: () => Promise.reject(new Error("modelpool explain never spawns")),
};

export async function explainDecision(
  registry: RegistryStore,
  args: { workerId: string; model: string; modelPolicy: string | undefined; policies: readonly string[] },
): Promise<CommandOutput> {
  const modelPolicy =
    args.modelPolicy === undefined
      ? undefined
      : parseOrThrow(ModelPolicySchema, args.modelPolicy, (issues) => new InvalidRequestError(issues));
  const plugins = (await Promise.all(args.policies.map(loadPolicies))).flat();
  const pool = new WorkerPool({ backend: NEVER_SPAWNS, registry, plugins });
  const warnings: string[] = [];
  pool.hooks.warning.tap("modelpool-cli", (warning) => {
    warnings.push(`warning ${warning.code}: ${warning.message}`);
  });
  const decision = await pool.explain({
    workerId: args.workerId,
    fingerprint: { resolvedModel: args.model, ...(modelPolicy ? { modelPolicy } : {}) },
  });
  const candidates = decision.considered.map(({ candidate, source, verdict }) => [
    describe(candidate),
    source,
    verdict.reuse ? "reuse" : "deny",
    verdict.by ?? "-",
    verdict.reason,
  ]);
  const text = [
    escapeControl(decision.reason),
    args.policies.length === 0 ? "(no --policy given: with no policy registered nothing is ever reused)" : "",
    candidates.length ? formatTable(["CANDIDATE", "SOURCE", "VERDICT", "BY", "REASON"], candidates) : "no candidates",
    ...warnings.map(escapeControl),
  ]
    .filter(Boolean)
    .join("\n");
  return { json: { ...decision, warnings }, text };
}

function describe(record: WorkerRecord): string {
  return `${record.fingerprint?.resolvedModel ?? "(no model)"} pid ${record.pid}`;
}

export function requirePositionals(
  positionals: readonly string[],
  names: readonly string[],
  command: string,
): string[] {
  if (positionals.length !== names.length) {
    throw new UsageError(
      `${command} takes ${names.map((n) => `<${n}>`).join(" ")}; got ${positionals.length} argument(s)`,
    );
  }
  return [...positionals];
}
