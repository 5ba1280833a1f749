/**
 * OpenTelemetry for modelpool: a plugin that turns a pool's decisions and lifecycle events into spans and
 * metrics through `@opentelemetry/api` only. The application brings (and registers) the SDK; without one,
 * the API's no-op tracer and meter make this plugin cost next to nothing.
 *
 * @module @modelpool/otel
 */

export { MetricName, SpanName } from "./names.js";
export { type OpenTelemetryOptions, OpenTelemetryPlugin, openTelemetry } from "./plugin.js";
