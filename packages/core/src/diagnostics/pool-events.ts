import { frozenCopy } from "../pool/frozen-copy.js";
import type { PoolHooks, PoolWarning } from "../pool/hooks.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { channels, publish } from "./channels.js";
import type { ChannelName, ChannelPayloads, PoolEventName, PoolEventPayloads } from "./events.js";
import { type LogLine, logLine, logSink, type PoolLogger } from "./logger.js";

/**
 * Where a pool's events go, in this order: its hook's taps, the `modelpool:<event>` channel, the log.
 * Observe-only: the payload is frozen, a tap that throws is reported as a `LISTENER_FAILED` warning and
 * never changes what the pool does; nothing is built when nobody listens.
 */
export class PoolEvents {
  readonly #hooks: PoolHooks;
  readonly #warn: (warning: PoolWarning) => void;
  readonly #log: ((line: LogLine) => void) | undefined;

  constructor(hooks: PoolHooks, warn: (warning: PoolWarning) => void, logger: PoolLogger | undefined) {
    this.#hooks = hooks;
    this.#warn = warn;
    this.#log = logSink(logger);
  }

  /** Fires one lifecycle event (`payload` without `at`: the time is taken here). */
  emit<N extends PoolEventName>(name: N, payload: Omit<PoolEventPayloads[N], "at">): void {
    const hook = this.#hooks[name];
    const used = hook.isUsed();
    if (!used && !this.#log && !publishes(name)) return;
    // A copy of the record: a listener that writes into it must not rewrite the pool's own.
    const { record } = payload as { record?: WorkerRecord };
    const event = Object.freeze({
      ...payload,
      ...(record ? { record: frozenCopy(record) } : {}),
      at: Date.now(),
    }) as unknown as PoolEventPayloads[N];
    if (used) {
      try {
        (hook.call as (event: PoolEventPayloads[N]) => void)(event);
      } catch (error) {
        // A listener's bug must not change what the pool does (nor cost a caller its worker).
        this.#warn({ code: "LISTENER_FAILED", message: `a ${name} listener threw: ${String(error)}`, error });
      }
    }
    this.#publishAndLog(name, event as ChannelPayloads[N]);
  }

  /** Channel and log only (the `decided` and `warning` hooks are called by the pool itself). */
  publishAndLog<N extends "decided" | "warning">(name: N, payload: ChannelPayloads[N]): void {
    this.#publishAndLog(name, payload);
  }

  /** Whether a logger (or NODE_DEBUG) takes the pool's log. */
  get logs(): boolean {
    return this.#log !== undefined;
  }

  /** Writes a warning to the log; false when there is no log. */
  logWarning(warning: PoolWarning): boolean {
    if (!this.#log) return false;
    this.#log(logLine("warning", warning));
    return true;
  }

  #publishAndLog<N extends ChannelName>(name: N, payload: ChannelPayloads[N]): void {
    publish(name, payload);
    if (this.#log && name !== "warning") this.#log(logLine(name, payload));
  }
}

function publishes(name: ChannelName): boolean {
  return channels[name].hasSubscribers;
}
