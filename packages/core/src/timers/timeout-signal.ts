/** An abort signal that fires after a delay (or with `parent`), and the means to disarm it once the work settles. */
export type TimeoutSignal = {
  readonly signal: AbortSignal;
  /** True once the delay, not `parent`, aborted the signal. */
  readonly timedOut: boolean;
  /** Disarms the timer and unhooks `parent`; call it when the work settles. */
  clear(): void;
};

/**
 * Like `AbortSignal.any([parent, AbortSignal.timeout(ms)])`, but with a plain timer: Node 20 may collect a
 * timeout signal that is only held inside `AbortSignal.any`, and then it never fires. The timer is ref'd on
 * purpose: a process with nothing else to do waits for the work it bounds instead of exiting with it unsettled.
 */
export function timeoutSignal(ms: number, parent?: AbortSignal): TimeoutSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError"));
  }, ms);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}
