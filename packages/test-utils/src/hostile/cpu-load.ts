import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

/**
 * A busy process. The first one (the group's leader, started with `MODELPOOL_BURNERS=n`) starts n-1 more
 * in its own process group. Each spins, and leaves as soon as the parent that started it is gone (a
 * re-parented process's parent pid changes; the expected parent is passed in, since on a loaded machine a
 * process may start after its parent died): a runner killed with SIGKILL still leaves no load behind.
 */
const BURNER = `
const parent = Number(process.env.MODELPOOL_BURNER_PARENT);
const more = Number(process.env.MODELPOOL_BURNERS) - 1;
for (let i = 0; i < more; i++) {
  require("node:child_process").spawn(process.execPath, ["-e", process.argv[1], process.argv[1]], {
    stdio: "ignore",
    env: { ...process.env, MODELPOOL_BURNERS: "1", MODELPOOL_BURNER_PARENT: String(process.pid) },
  });
}
for (;;) {
  const until = Date.now() + 100;
  while (Date.now() < until);
  if (process.ppid !== parent) process.exit(0);
}`;

/** CPU load started by `startCpuLoad`: `stop()` ends every busy process at once. */
export type CpuLoad = {
  /** How many busy processes there are. */
  readonly processes: number;
  /** Their process group: one signal to it ends them all. */
  readonly pgid: number;
  stop(): void;
};

/**
 * Starts `factor` x the cores busy processes in one new process group. The caller ends them with
 * `stop()` on exit and on the signals that end it; if it dies without doing so, they end themselves.
 */
export function startCpuLoad(factor = 4): CpuLoad {
  const processes = Math.max(1, Math.round(factor * availableParallelism()));
  const leader = spawn(process.execPath, ["-e", BURNER, BURNER], {
    detached: true, // a new process group (and session), away from the runner's terminal signals
    stdio: "ignore",
    env: { ...process.env, MODELPOOL_BURNERS: String(processes), MODELPOOL_BURNER_PARENT: String(process.pid) },
  });
  leader.unref();
  if (leader.pid === undefined) throw new Error("could not start a busy process");
  const pgid = leader.pid;
  let stopped = false;
  return {
    processes,
    pgid,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // The group is gone already (each leaves when its parent does).
      }
    },
  };
}
