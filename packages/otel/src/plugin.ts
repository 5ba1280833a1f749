import type { Decision, PluginHost, PoolPlugin } from "@modelpool/core";
import {
  type Attributes,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { Attr, MetricName, SpanName } from "./names.js";

const SCOPE = "@modelpool/otel";

export type OpenTelemetryOptions = {
  /** Where spans go; default: the globally registered provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go; default: the globally registered provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
};

/**
 * Turns a pool's events into OpenTelemetry spans and metrics (see `SpanName`, `MetricName`). Observe-only:
 * it taps `decided` and the lifecycle hooks, and never changes a decision.
 */
export class OpenTelemetryPlugin implements PoolPlugin {
  readonly #options: OpenTelemetryOptions;

  constructor(options: OpenTelemetryOptions = {}) {
    this.#options = options;
  }

  apply(pool: PluginHost): void {
    const tracer = (this.#options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
    const meter = (this.#options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
    new PoolTelemetry(tracer, meter).tap(pool);
  }
}

/** `new OpenTelemetryPlugin(options)`, for `plugins: [openTelemetry()]`. */
export function openTelemetry(options: OpenTelemetryOptions = {}): OpenTelemetryPlugin {
  return new OpenTelemetryPlugin(options);
}

/** One pool's instruments and the spans of its spawns under way. */
class PoolTelemetry {
  readonly #tracer: Tracer;
  readonly #decisions;
  readonly #decisionDuration;
  readonly #hits;
  readonly #misses;
  readonly #denials;
  readonly #spawnDuration;
  readonly #leases;
  readonly #stopped;
  /** Spans of spawns under way, by record id. */
  readonly #spawns = new Map<string, Span>();

  constructor(tracer: Tracer, meter: Meter) {
    this.#tracer = tracer;
    this.#decisions = meter.createCounter(MetricName.DECISIONS, { description: "Decisions of the pool" });
    this.#decisionDuration = meter.createHistogram(MetricName.DECISION_DURATION, {
      description: "How long a decision took",
      unit: "s",
    });
    this.#hits = meter.createCounter(MetricName.REUSE_HITS, { description: "Requests that reused a running worker" });
    this.#misses = meter.createCounter(MetricName.REUSE_MISSES, {
      description: "Requests that found no running worker they could reuse",
    });
    this.#denials = meter.createCounter(MetricName.DENIALS, { description: "Candidates denied, by policy and code" });
    this.#spawnDuration = meter.createHistogram(MetricName.SPAWN_DURATION, {
      description: "How long a worker took to start (or to fail)",
      unit: "s",
    });
    this.#leases = meter.createUpDownCounter(MetricName.LEASES_ACTIVE, { description: "Leases held now" });
    this.#stopped = meter.createCounter(MetricName.WORKERS_STOPPED, { description: "Workers stopped, by cause" });
  }

  tap(pool: PluginHost): void {
    const { hooks } = pool;
    hooks.decided.tap(SCOPE, (decision) => this.#decided(decision));
    hooks.spawnStarted.tap(SCOPE, (event) => {
      const span = this.#tracer.startSpan(SpanName.SPAWN, {
        startTime: event.at,
        attributes: { [Attr.WORKER_ID]: event.workerId, [Attr.RECORD_ID]: event.id },
      });
      this.#spawns.set(event.id, span);
    });
    hooks.spawnReady.tap(SCOPE, (event) => {
      const attributes = { [Attr.SPAWN_RESULT]: "ready", [Attr.SPAWN_CODE]: event.code };
      this.#spawnDuration.record(event.durationMs / 1_000, attributes);
      const span = this.#takeSpawn(event.id);
      span?.setAttributes({ ...attributes, [Attr.WORKER_PID]: event.record.pid });
      span?.setStatus({ code: SpanStatusCode.OK });
      span?.end(event.at);
    });
    hooks.spawnFailed.tap(SCOPE, (event) => {
      const attributes = { [Attr.SPAWN_RESULT]: "failed", [Attr.SPAWN_CODE]: event.code };
      this.#spawnDuration.record(event.durationMs / 1_000, attributes);
      const span = this.#takeSpawn(event.id);
      if (!span) return;
      span.setAttributes(attributes);
      if (event.error instanceof Error) span.recordException(event.error, event.at);
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.code });
      span.end(event.at);
    });
    hooks.leased.tap(SCOPE, () => this.#leases.add(1));
    hooks.released.tap(SCOPE, () => this.#leases.add(-1));
    hooks.stopped.tap(SCOPE, (event) => this.#stopped.add(1, { [Attr.STOP_CAUSE]: event.cause }));
    hooks.exited.tap(SCOPE, () => this.#stopped.add(1, { [Attr.STOP_CAUSE]: "exited" }));
  }

  #takeSpawn(id: string): Span | undefined {
    const span = this.#spawns.get(id);
    this.#spawns.delete(id);
    return span;
  }

  #decided(decision: Decision): void {
    const now = Date.now();
    const attributes: Attributes = {
      [Attr.WORKER_ID]: decision.workerId,
      [Attr.OUTCOME]: decision.outcome,
      [Attr.CODE]: decision.code,
      [Attr.SHARED]: decision.shared,
      [Attr.DRY_RUN]: decision.dryRun,
      [Attr.CANDIDATES]: decision.considered.length,
      "modelpool.decision.candidates_ms": decision.timings.candidatesMs,
      "modelpool.decision.policies_ms": decision.timings.policiesMs,
      "modelpool.decision.probe_ms": decision.timings.probeMs,
      "modelpool.decision.spawn_ms": decision.timings.spawnMs,
    };
    if (decision.worker) {
      attributes[Attr.WORKER_PID] = decision.worker.pid;
      attributes[Attr.RECORD_ID] = decision.worker.id;
    }
    // Back-dated: the hook fires when the decision is made, in the request's own context (its parent span).
    const span = this.#tracer.startSpan(SpanName.DECISION, { startTime: now - decision.durationMs, attributes });
    span.setStatus({ code: SpanStatusCode.OK });
    span.end(now);
    if (decision.dryRun) return;
    const labels = { [Attr.OUTCOME]: decision.outcome, [Attr.CODE]: decision.code };
    this.#decisions.add(1, labels);
    this.#decisionDuration.record(decision.durationMs / 1_000, labels);
    if (decision.outcome === "reused") this.#hits.add(1);
    else if (decision.outcome === "spawned") this.#misses.add(1);
    for (const { verdict } of decision.considered) {
      if (!verdict.reuse) {
        this.#denials.add(1, { [Attr.DENIAL_BY]: verdict.by ?? "(unsigned)", [Attr.DENIAL_CODE]: verdict.code });
      }
    }
  }
}
