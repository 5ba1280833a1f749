import { debuglog } from "node:util";
import type { Decision, PoolWarning } from "../pool/hooks.js";
import type { ChannelName, ChannelPayloads } from "./events.js";

/**
 * What the `logger` option takes: pino, bunyan-style, winston-style or `console` — anything with these
 * four methods. Each is called as `(fields, message)`, pino's own order.
 */
export interface PoolLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];

/** Whether `value` has the four methods a logger must have. */
export function isPoolLogger(value: unknown): value is PoolLogger {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  return LEVELS.every((level) => typeof (value as Record<string, unknown>)[level] === "function");
}

/** One line of the pool's log: at which level, the fields (no whole records: ids, pids, codes) and the text. */
export type LogLine = { level: Level; fields: Record<string, unknown>; message: string };

/** How each event reads in a log. The fields are small and flat, fit for structured loggers. */
export function logLine<N extends ChannelName>(name: N, payload: ChannelPayloads[N]): LogLine {
  if (name === "decided") return decisionLine(payload as Decision);
  if (name === "warning") {
    const warning = payload as PoolWarning;
    return { level: "warn", fields: { event: name, code: warning.code }, message: warning.message };
  }
  const event = payload as ChannelPayloads["stopped"] & Partial<ChannelPayloads["spawnFailed"]>;
  const pid = (event as { record?: { pid?: number } }).record?.pid;
  const fields: Record<string, unknown> = { event: name, code: event.code, workerId: event.workerId, id: event.id };
  if (pid !== undefined) fields.pid = pid;
  for (const key of ["durationMs", "uptimeMs", "heldMs", "cause", "scope", "action", "by"] as const) {
    const value = (event as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = typeof value === "number" ? Math.round(value) : value;
  }
  const who = `worker ${event.workerId} (${event.id}${pid !== undefined ? `, pid ${pid}` : ""})`;
  switch (name) {
    case "spawnFailed": {
      const error = (payload as ChannelPayloads["spawnFailed"]).error;
      fields.error = error instanceof Error ? error.message : String(error);
      return { level: "warn", fields, message: `spawn failed: ${who}: ${fields.error}` };
    }
    case "leased":
    case "released":
      return { level: "debug", fields, message: `${name} ${who}` };
    default:
      return { level: "info", fields, message: `${describe[name as keyof typeof describe]} ${who}` };
  }
}

const describe = {
  spawnStarted: "spawn started:",
  spawnReady: "spawn ready:",
  stopped: "stopped",
  exited: "exited on its own:",
  evicted: "evicted",
  drained: "drained",
  superseded: "superseded:",
};

function decisionLine(decision: Decision): LogLine {
  return {
    level: "debug",
    fields: {
      event: "decided",
      code: decision.code,
      outcome: decision.outcome,
      workerId: decision.workerId,
      ...(decision.worker ? { id: decision.worker.id, pid: decision.worker.pid } : {}),
      durationMs: Math.round(decision.durationMs),
      dryRun: decision.dryRun,
    },
    message: `decided ${decision.outcome} (${decision.code}): ${decision.reason}`,
  };
}

/** `NODE_DEBUG=modelpool` (read once, when the process starts). */
const debug = debuglog("modelpool");

/**
 * Where a pool's log lines go: its `logger`, or, without one, `util.debuglog("modelpool")` when
 * `NODE_DEBUG=modelpool` is set; otherwise nowhere (undefined: nothing to build).
 */
export function logSink(logger: PoolLogger | undefined): ((line: LogLine) => void) | undefined {
  if (logger) return ({ level, fields, message }) => logger[level](fields, message);
  if (!debugEnabled()) return undefined;
  return ({ level, fields, message }) => debug("%s %s %j", level, message, fields);
}

function debugEnabled(): boolean {
  // `enabled` is Node 14.9+; a runtime without it tells by NODE_DEBUG itself.
  if (typeof debug.enabled === "boolean") return debug.enabled;
  return /(^|,)\s*modelpool\s*(,|$)/i.test(process.env.NODE_DEBUG ?? "");
}
