import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** How often and how long participants are paused: each a range of milliseconds, picked at random. */
export type PauseRhythm = {
  /** Time between one pause's end and the next pause's start. */
  gapMs: readonly [number, number];
  /** How long one participant stays stopped. */
  pauseMs: readonly [number, number];
};

/** Short pauses, often: enough to land inside any window of a few system calls, never long enough to be mistaken for death. */
export const DEFAULT_RHYTHM: PauseRhythm = { gapMs: [5, 120], pauseMs: [5, 400] };

const between = ([low, high]: readonly [number, number]) => low + Math.random() * (high - low);

/**
 * Stops one participant at a time with SIGSTOP at a random moment and resumes it with SIGCONT a random
 * while later, as a loaded scheduler, a paused VM or a debugger would: the participant is alive
 * throughout, only slow. Participants are this process's own children (a `ChildProcess`): a child that
 * has exited is never signalled, since its pid stays ours until Node reaps it and marks it exited, so no
 * foreign process that got a recycled pid is ever stopped. `stop()` resumes whatever it paused.
 */
export class Pauser {
  readonly #participants = new Set<ChildProcess>();
  readonly #rhythm: PauseRhythm;
  #running: Promise<void> | undefined;
  #stopping = false;
  #pauses = 0;

  constructor(rhythm: PauseRhythm = DEFAULT_RHYTHM) {
    this.#rhythm = rhythm;
  }

  /** How many pauses it has made so far. */
  get pauses(): number {
    return this.#pauses;
  }

  /** Makes `child` a participant (paused at random from now on, until it exits); starts pausing. */
  add(child: ChildProcess): void {
    this.#participants.add(child);
    child.once("exit", () => this.#participants.delete(child));
    this.#running ??= this.#loop();
  }

  /** Ends the pausing, resuming the participant it has stopped; resolves once it is resumed. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running;
    this.#running = undefined;
    this.#stopping = false;
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      await sleep(between(this.#rhythm.gapMs));
      const live = [...this.#participants].filter(running);
      const victim = live[Math.floor(Math.random() * live.length)];
      if (victim === undefined || this.#stopping) continue;
      if (!signal(victim, "SIGSTOP")) continue;
      this.#pauses++;
      try {
        const end = performance.now() + between(this.#rhythm.pauseMs);
        // Wakes early when asked to stop, so a finished test never waits out a pause.
        while (!this.#stopping && performance.now() < end) await sleep(Math.min(20, end - performance.now()));
      } finally {
        signal(victim, "SIGCONT");
      }
    }
  }
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Signals `child` unless it has exited (then its pid may be another process's): did the signal go out? */
function signal(child: ChildProcess, name: "SIGSTOP" | "SIGCONT"): boolean {
  if (!running(child) || child.pid === undefined) return false;
  try {
    process.kill(child.pid, name);
    return true;
  } catch {
    return false; // exited meanwhile (ESRCH): nothing to pause or resume
  }
}
