/** An abort signal that fires after a delay (or with any of its parents), and the means to disarm it once the work settles. */
export type TimeoutSignal = {
  readonly signal: AbortSignal;
  /** True once the delay, not a parent, aborted the signal. */
  readonly timedOut: boolean;
  /** Disarms the timer and unhooks the parents; call it when the work settles. */
  clear(): void;
};

/**
 * Like `AbortSignal.any([...parents, AbortSignal.timeout(ms)])`, but with a plain timer: Node 20 may collect
 * a timeout signal that is only held inside `AbortSignal.any`, and then it never fires. The timer is ref'd on
 * purpose: a process with nothing else to do waits for the work it bounds instead of exiting with it unsettled.
 */
export function timeoutSignal(ms: number, ...parents: readonly (AbortSignal | undefined)[]): TimeoutSignal {
  const controller = new AbortController();
  let timedOut = false;
  const hooked: Array<[AbortSignal, () => void]> = [];
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError"));
  }, ms);
  for (const parent of parents) {
    if (!parent) continue;
    const onAbort = () => controller.abort(parent.reason);
    if (parent.aborted) onAbort();
    parent.addEventListener("abort", onAbort, { once: true });
    hooked.push([parent, onAbort]);
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      for (const [parent, onAbort] of hooked) parent.removeEventListener("abort", onAbort);
    },
  };
}
