import { openTelemetry, SpanName } from "@modelpool/otel";
import { isRunning, modelWorkerBackend, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { expect, onTestFinished, test } from "vitest";

/** An SDK of the test's own (nothing registered globally), exporting to memory. */
function inMemorySdk() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exported on demand (forceFlush), never on a timer during the test.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  onTestFinished(async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });
  const metrics = async (): Promise<Map<string, MetricData>> => {
    await meterProvider.forceFlush();
    const last = exporter.getMetrics().at(-1);
    return new Map(last?.scopeMetrics.flatMap((scope) => scope.metrics).map((m) => [m.descriptor.name, m]) ?? []);
  };
  return { spans, tracerProvider, meterProvider, metrics };
}

const sum = (metric: MetricData | undefined, attributes: Record<string, unknown> = {}) =>
  (metric?.dataPoints ?? [])
    .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    .reduce((total, point) => total + (point.value as number), 0);

test("each decision is a span with its outcome and code; reuse hits and misses are counted", async () => {
  const sdk = inMemorySdk();
  const pool = testPool({
    registry: await tempRegistryPath(),
    plugins: [new SameModelTestPolicy(), openTelemetry(sdk)],
  });

  await (await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } })).release();
  await (await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } })).release();
  await (await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-b" } })).release();

  const decisions = sdk.spans.getFinishedSpans().filter((span) => span.name === SpanName.DECISION);
  expect(
    decisions.map((span) => [
      span.attributes["modelpool.decision.outcome"],
      span.attributes["modelpool.decision.code"],
    ]),
  ).toEqual([
    ["spawned", "SPAWNED_NO_CANDIDATE"],
    ["reused", "REUSED"],
    ["spawned", "SPAWNED_ALL_REFUSED"],
  ]);
  expect(decisions[2]?.attributes["modelpool.decision.candidates"]).toBe(1);
  const metrics = await sdk.metrics();
  expect(sum(metrics.get("modelpool.reuse.hits"))).toBe(1);
  expect(sum(metrics.get("modelpool.reuse.misses"))).toBe(2);
  expect(sum(metrics.get("modelpool.decisions"), { "modelpool.decision.outcome": "spawned" })).toBe(2);
  expect(sum(metrics.get("modelpool.denials"), { "modelpool.denial.code": "MODEL_DIFFERS" })).toBe(1);
  expect(sum(metrics.get("modelpool.leases.active"))).toBe(0);
});

test("each spawn is a span and a point of the spawn latency histogram, failures with their code", async () => {
  const sdk = inMemorySdk();
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [openTelemetry(sdk)] });
  const failing = testPool({
    backend: modelWorkerBackend({ env: { WORKER_MODE: "crash" } }),
    registry: await tempRegistryPath(),
    plugins: [openTelemetry(sdk)],
  });

  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  await failing.getOrSpawn({ workerId: "broken", fingerprint: { resolvedModel: "m" } }).catch(() => undefined);

  const spawns = sdk.spans.getFinishedSpans().filter((span) => span.name === SpanName.SPAWN);
  expect(spawns.map((span) => [span.attributes["modelpool.worker_id"], span.status.code])).toEqual([
    ["docs", 1],
    ["broken", 2],
  ]);
  expect(spawns[0]?.attributes["modelpool.worker.pid"]).toBe(lease.worker.pid);
  expect(spawns[1]?.attributes["modelpool.spawn.code"]).toBe("SPAWN_FAILED");
  expect(spawns[1]?.events.map((event) => event.name)).toContain("exception");
  const histogram = (await sdk.metrics()).get("modelpool.spawn.duration");
  expect(histogram?.dataPointType).toBe(DataPointType.HISTOGRAM);
  expect(histogram?.descriptor.unit).toBe("s");
  const counts = Object.fromEntries(
    (histogram?.dataPoints ?? []).map((point) => [
      point.attributes["modelpool.spawn.result"],
      (point.value as { count: number }).count,
    ]),
  );
  expect(counts).toEqual({ ready: 1, failed: 1 });
  expect(isRunning(lease.worker.pid)).toBe(true);
});

test("stops are counted by cause", async () => {
  const sdk = inMemorySdk();
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [openTelemetry(sdk)] });
  await (await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } })).release();

  await pool.stop("docs");

  expect(sum((await sdk.metrics()).get("modelpool.workers.stopped"), { "modelpool.stop.cause": "manual" })).toBe(1);
});
