import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod";
import { DEFAULT_LOG_RETENTION_MS, nameLogAfterWorker, removeExpiredLogs } from "../diagnostics/log-retention.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { SpawnError } from "../errors/SpawnError.js";
import { MAX_TIMER_MS } from "../pool/options.js";
import { linuxNow } from "../process/linux-clock.js";
import { identityToRecord } from "../process/recorded-identity.js";
import { checkRecordedProcess, type RecordedProcess } from "../process/recorded-process.js";
import { SPAWN_ID_VARIABLE } from "../process/spawned-by.js";
import { terminateRecordedProcess } from "../process/terminate.js";
import type { ModelFingerprint } from "../schema/fingerprint.js";
import { parseOrThrow } from "../schema/parse-or-throw.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { timeoutSignal } from "../timers/timeout-signal.js";
import { waitForHttpOk, waitForLogLine } from "./readiness.js";
import type { ProbeResult, SpawnContext, SpawnedWorker, WorkerBackend } from "./worker-backend.js";

type PerRequest<T> = T | ((request: ResolvedWorkerRequest) => T);
const perRequest = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.custom<(request: ResolvedWorkerRequest) => z.output<T>>((value) => typeof value === "function")]);

export const ProcessBackendOptionsSchema = z
  .object({
    name: z.string().min(1).default("process"),
    command: perRequest(z.string().min(1)),
    args: perRequest(z.array(z.string())).default([]),
    /** Added to the environment; `MODELPOOL_WORKER_ID`, `MODELPOOL_MODEL` and `MODELPOOL_MODEL_POLICY` are always set. */
    env: perRequest(z.record(z.string(), z.string())).default({}),
    cwd: z.string().optional(),
    ready: z
      .object({
        /** A line of the worker's output that means "ready"; named groups `url` or `port` tell where it listens. */
        stdout: z.instanceof(RegExp).optional(),
        /** A URL (or, with `stdout`, a path on the announced URL) that answers 2xx once the worker is ready. */
        url: perRequest(z.string().min(1)).optional(),
        path: z.string().startsWith("/").optional(),
      })
      .refine(
        (ready) => ready.stdout !== undefined || ready.url !== undefined,
        "ready needs a stdout pattern, a url, or both",
      ),
    /** How `probe` asks a running worker: a path answering 2xx, and optionally its live model from the JSON body. */
    health: z
      .object({
        path: z.string().startsWith("/").default("/"),
        /** Reads the worker's live model from the JSON body; `record` is what was recorded (e.g. its modelPolicy). */
        fingerprint: z
          .custom<(body: unknown, record: WorkerRecord) => ModelFingerprint | undefined>(
            (value) => typeof value === "function",
          )
          .optional(),
      })
      .optional(),
    /** Bounded by the longest delay a timer honours: a longer one would fire at once and fail every spawn. */
    timeoutMs: z.number().int().positive().max(MAX_TIMER_MS).default(30_000),
    /** After SIGTERM, how long the worker gets before SIGKILL. */
    stopGraceMs: z.number().int().min(0).max(MAX_TIMER_MS).default(5_000),
    /** Where worker output goes, one file per worker. */
    logDir: z.string().min(1).optional(),
    /** How long a gone worker's log is kept after its last line (each spawn removes older ones). */
    logRetentionMs: z.number().int().min(0).default(DEFAULT_LOG_RETENTION_MS),
  })
  .strict();
export type ProcessBackendOptions = z.input<typeof ProcessBackendOptionsSchema>;

const OUTPUT_TAIL_BYTES = 4_096;
/** After killing a failed spawn, how long to wait for Node to report the exit before answering anyway. */
const EXIT_EVENT_WAIT_MS = 2_000;
/** After a stopped child has exited, how long its stop waits at most for Node to reap it (it takes a turn of the event loop). */
const REAP_WAIT_MS = 5_000;

/**
 * A backend that runs a real child process per worker. The child gets its own process group and writes
 * to a log file (not a pipe) so it may outlive this process and be reused by the next one; `stop` ends
 * the whole group. Readiness: a stdout line, a URL answering, or both.
 */
export function processBackend(options: ProcessBackendOptions): WorkerBackend {
  const config = parseOrThrow(
    ProcessBackendOptionsSchema,
    options,
    (issues) => new InvalidOptionsError("processBackend", issues),
  );
  const logDir = config.logDir ?? join(tmpdir(), `modelpool-${process.getuid?.() ?? "user"}`, "logs");
  /**
   * This backend's children until Node has reaped them (their `exit` event): a stop resolves only then, so
   * a caller's `kill(pid, 0)` never finds the zombie of a worker reported stopped.
   */
  const unreaped = new Map<number, Promise<unknown>>();
  const resolve = <T>(value: PerRequest<T>, request: ResolvedWorkerRequest): T =>
    typeof value === "function" ? (value as (request: ResolvedWorkerRequest) => T)(request) : value;

  async function spawnWorker(
    request: ResolvedWorkerRequest,
    { signal, onProcess, spawnId }: SpawnContext,
  ): Promise<SpawnedWorker> {
    signal.throwIfAborted();
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    removeExpiredLogs(logDir, config.logRetentionMs);
    let logPath = join(logDir, `${request.workerId.replace(/[^\w.-]/g, "_")}-${Date.now()}-${process.pid}.log`);
    const logFd = openSync(logPath, "a", 0o600);
    const startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(resolve(config.command, request), resolve(config.args, request), {
        cwd: config.cwd,
        env: {
          ...process.env,
          ...resolve(config.env, request),
          MODELPOOL_WORKER_ID: request.workerId,
          ...(spawnId !== undefined ? { [SPAWN_ID_VARIABLE]: spawnId } : {}),
          MODELPOOL_MODEL: request.fingerprint.resolvedModel,
          MODELPOOL_MODEL_POLICY: request.fingerprint.modelPolicy,
        },
        stdio: ["ignore", logFd, logFd],
        // Its own session and process group: stopping the worker stops what it started, and it outlives us.
        detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    const pid = child.pid;
    const output = () => tail(logPath);
    if (pid === undefined) {
      const error = await new Promise<Error>((done) => child.once("error", done));
      throw new SpawnError(request.workerId, "backend-error", error.message, { cause: error });
    }
    child.unref();
    logPath = nameLogAfterWorker(logPath, pid);
    // Read before yielding to the event loop: until then the child cannot have been reaped, so `pid` is it.
    // Without its executable: a command run through `env`, a shell's `exec` or `npx` replaces its program
    // on the way, and an unreaped child's pid cannot be recycled anyway. The pool records the executable
    // once the worker is ready.
    const { pidExe: _launcher, ...identity } = identityToRecord(pid, { unreapedChild: true });
    let worker: RecordedProcess = { pid, startedAt, ...identity };
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once("exit", (code, exitSignal) => {
        // It was ours until it was reaped, just now; what it started by then is the worker's (see readWorkerSession).
        // This tick included: a wrapper that forks its server and exits at once does both within one tick.
        // Only a pid recycled to this very number within the same tick could pass for the worker's.
        const now = linuxNow({ thisTickIncluded: true });
        if (worker.pidSession && now !== undefined) worker = { ...worker, pidSession: { verifiedAt: now } };
        done({ code, signal: exitSignal });
      }),
    );
    unreaped.set(pid, exit);
    void exit.then(() => unreaped.delete(pid));
    let hasExited = false;
    const exitedEarly = exit.then(({ code, signal: exitSignal }) => {
      hasExited = true;
      throw new SpawnError(
        request.workerId,
        "exited",
        `the worker exited (${exitSignal ?? `code ${code}`}) before it was ready`,
        {
          exitCode: code,
          signal: exitSignal,
          output: output(),
        },
      );
    });
    exitedEarly.catch(() => undefined);
    // Aborted once the spawn settles, however it settles: the readiness wait must not poll on after it.
    const settled = new AbortController();
    const deadline = timeoutSignal(config.timeoutMs, signal, settled.signal);
    try {
      onProcess?.({ pid });
      const where = await Promise.race([waitUntilReady(request, logPath, deadline.signal), exitedEarly]);
      // Ready, but its pid must still be the worker: a wrapper that exits as its server gets ready would
      // leave a pid the pool refuses, and a server nobody could stop.
      const leader = checkRecordedProcess(worker);
      if (!leader.ok) {
        throw new SpawnError(
          request.workerId,
          "exited",
          `the worker's process exited as it became ready (${leader.reason})`,
          {
            output: output(),
          },
        );
      }
      return { pid, ...where, logPath };
    } catch (error) {
      // Everything it started, then its exit: a failed spawn leaves no process behind. Bounded, because an
      // exit event that never comes must not keep the spawn from settling.
      await terminateRecordedProcess(worker, 0);
      if (!hasExited) await Promise.race([exit, sleep(EXIT_EVENT_WAIT_MS, undefined, { signal: settled.signal })]);
      if (signal.aborted) throw signal.reason;
      if (error instanceof SpawnError) throw error;
      if (deadline.timedOut) {
        throw new SpawnError(request.workerId, "timeout", `not ready within ${config.timeoutMs} ms`, {
          output: output(),
          cause: error,
        });
      }
      throw new SpawnError(request.workerId, "backend-error", String(error), { output: output(), cause: error });
    } finally {
      settled.abort(new Error("the spawn has settled"));
      deadline.clear();
    }
  }

  async function waitUntilReady(request: ResolvedWorkerRequest, logPath: string, signal: AbortSignal) {
    const where: { url?: string; port?: number } = {};
    if (config.ready.stdout) {
      const match = await waitForLogLine(logPath, config.ready.stdout, signal);
      const port = match.groups?.port !== undefined ? Number(match.groups.port) : undefined;
      if (port !== undefined && Number.isInteger(port)) where.port = port;
      const url = match.groups?.url ?? (where.port !== undefined ? `http://127.0.0.1:${where.port}` : undefined);
      if (url !== undefined) where.url = url;
    }
    const fixedUrl = config.ready.url !== undefined ? resolve(config.ready.url, request) : undefined;
    if (fixedUrl !== undefined) {
      where.url ??= fixedUrl.replace(/\/+$/, "");
      await waitForHttpOk(fixedUrl, signal);
    } else if (config.ready.path !== undefined && where.url !== undefined) {
      await waitForHttpOk(`${where.url.replace(/\/+$/, "")}${config.ready.path}`, signal);
    }
    if (where.port === undefined && where.url !== undefined) {
      const port = Number(new URL(where.url).port);
      if (port > 0) where.port = port;
    }
    return where;
  }

  async function probe(record: WorkerRecord, { signal }: { signal: AbortSignal }): Promise<ProbeResult> {
    if (record.url === undefined) return { healthy: true, reason: "no URL to probe; the process is alive" };
    const path = config.health?.path ?? config.ready.path ?? "/";
    const response = await fetch(`${record.url.replace(/\/+$/, "")}${path}`, { signal });
    if (!response.ok) {
      await response.body?.cancel();
      return { healthy: false, reason: `GET ${path} answered ${response.status}` };
    }
    const readFingerprint = config.health?.fingerprint;
    if (!readFingerprint) {
      await response.body?.cancel();
      return { healthy: true };
    }
    const fingerprint = readFingerprint(await response.json(), record);
    return fingerprint ? { healthy: true, fingerprint } : { healthy: true };
  }

  async function stop(record: WorkerRecord): Promise<void> {
    const report = await terminateRecordedProcess(record, config.stopGraceMs);
    const child = unreaped.get(record.pid);
    if (!child || (report.outcome !== "stopped" && report.outcome !== "already-gone")) return;
    // Ours and ended: it is gone once reaped, which its exit event says. The child is unref'd, so a timer
    // holds the event loop open meanwhile (else a process with nothing else to do ends before the reap and
    // this never resolves); bounded, in case the event never came (the process has ended either way).
    const keepOpen = setTimeout(() => undefined, REAP_WAIT_MS);
    try {
      await Promise.race([child, sleep(REAP_WAIT_MS, undefined, { ref: false })]);
    } finally {
      clearTimeout(keepOpen);
    }
  }

  return { name: config.name, spawn: spawnWorker, probe, stop };
}

function tail(path: string): string {
  try {
    const text = readFileSync(path, "utf8");
    return text.slice(-OUTPUT_TAIL_BYTES);
  } catch {
    return "";
  }
}
