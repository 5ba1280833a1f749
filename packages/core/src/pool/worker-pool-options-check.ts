import { isWorkerBackend } from "../backend/worker-backend.js";
import { isPoolLogger } from "../diagnostics/logger.js";
import { isRegistryStore } from "../registry/store/RegistryStore.js";
import { boolean, type Checked, type HandCheck, number, object, oneOf, REJECT } from "../schema/hand-check.js";
import { MAX_TIMER_MS, type ResolvedWorkerPoolOptions } from "./options.js";

// The hand-written twin of WorkerPoolOptionsSchema (see schema/hand-check.ts): every `new WorkerPool`
// is checked here first, so that a new session's pool does not pay for zod's first parse.

/** `z.custom(is)`: the value itself when `is` says so. */
const custom =
  (is: (value: unknown) => boolean): HandCheck<unknown> =>
  (value) =>
    is(value) ? value : REJECT;

const isPlugin = (value: unknown) => typeof (value as { apply?: unknown } | null)?.apply === "function";
const isFunction = (value: unknown) => typeof value === "function";

/** `z.union([...])` of options that give back their input: the value when any accepts it. */
function anyOf(...options: readonly HandCheck<unknown>[]): HandCheck<unknown> {
  return (value) => {
    let unsure = false;
    for (const option of options) {
      const checked: Checked<unknown> = option(value);
      if (checked === undefined) unsure = true;
      else if (checked !== REJECT) return checked;
    }
    return unsure ? undefined : REJECT;
  };
}

const isFalse: HandCheck<unknown> = (value) => (value === false ? value : REJECT);

const registryPath: HandCheck<unknown> = (value) =>
  typeof value === "string" ? (value.length > 0 ? value : REJECT) : REJECT;

/** An array of plugins: a fresh array of the same plugins, as zod's. */
const plugins: HandCheck<unknown> = (value) => {
  if (!Array.isArray(value)) return REJECT;
  if (Object.getPrototypeOf(value) !== Array.prototype) return undefined;
  for (let i = 0; i < value.length; i++) if (!isPlugin(value[i])) return REJECT;
  return Array.from({ length: value.length }, (_, i) => value[i]);
};

const duration = number({ int: true, gt: 0, max: MAX_TIMER_MS });
const wait = number({ int: true, min: 0, max: MAX_TIMER_MS });
const count = number({ int: true, gt: 0 });
const always = (value: unknown) => () => value;

export const checkWorkerPoolOptions: HandCheck<ResolvedWorkerPoolOptions> = object<ResolvedWorkerPoolOptions>(
  [
    ["backend", custom(isWorkerBackend), "required"],
    ["registry", anyOf(custom(isRegistryStore), registryPath, isFalse), "optional"],
    ["plugins", plugins, { default: () => [] }],
    ["probeTimeoutMs", duration, { default: always(2_000) }],
    ["healthyForMs", wait, { default: always(1_000) }],
    ["failedSpawnBackoffMs", wait, { default: always(2_000) }],
    ["spawnTimeoutMs", duration, { default: always(60_000) }],
    ["allowRemoteUrls", boolean, { default: always(false) }],
    ["idleTtlMs", duration, "optional"],
    ["onSuperseded", anyOf(oneOf("keep", "stop", "drain"), custom(isFunction)), { default: always("keep") }],
    ["maxWorkers", count, "optional"],
    ["maxWorkersPerDevice", count, "optional"],
    ["capacityTimeoutMs", wait, { default: always(30_000) }],
    ["sweepIntervalMs", duration, { default: always(1_000) }],
    ["policyTimeoutMs", duration, { default: always(10_000) }],
    ["onRegistryUnavailable", oneOf("fail", "local-only"), { default: always("fail") }],
    ["logger", custom(isPoolLogger), "optional"],
  ],
  "refuse",
);
