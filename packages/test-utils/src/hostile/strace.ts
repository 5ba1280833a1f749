import { execFileSync } from "node:child_process";

/**
 * The registry's writes: what makes and replaces its files (rename over, link into place, unlink) and
 * what fills them (openat, write). A delay on entry to one of them widens every window between a
 * participant's decision and its effect on disk, as a loaded disk or a stalled VM would.
 */
const DELAYED = {
  renames: "rename,renameat,renameat2,link,linkat,unlink,unlinkat",
  writes: "openat,write",
} as const;

/** Is Debian's `strace` (with `--inject` and `-D`) here? `undefined` when it is; why not otherwise. */
export function straceMissing(): string | undefined {
  try {
    execFileSync("strace", ["-V"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "strace is not installed (apt-get install -y strace; .ci/run does it)";
  }
}

const between = (low: number, high: number) => low + Math.random() * (high - low);

/**
 * `command args` run under strace with the registry's writes delayed: every rename, link and unlink by a
 * random 1-40 ms (picked once per participant), every 4th-ish open by 0.5-5 ms and every 50th-ish write
 * by 1-20 ms (a Node process started with tsx makes thousands of small writes between its threads as it
 * loads: delaying each would only slow its start, not the registry's decisions). `-D`
 * makes strace the grandchild, so the spawned process is the command itself: its pid, parent and signals
 * are the test's as without strace (a test that kills, pauses or looks up the participant's pid reaches
 * the participant, not strace). `--seccomp-bpf` stops the participant only at the delayed calls, and
 * `-o /dev/null` keeps its output the participant's own.
 */
export function straceCommand(command: string, args: readonly string[]): { command: string; args: string[] } {
  const rename = `${between(1, 40).toFixed(1)}ms`;
  const open = `${between(0.5, 5).toFixed(2)}ms`;
  const write = `${between(1, 20).toFixed(1)}ms`;
  const step = (low: number, high: number) => Math.round(between(low, high));
  return {
    command: "strace",
    args: [
      "-D",
      "-f",
      "--seccomp-bpf",
      "-qq",
      "-o",
      "/dev/null",
      "-e",
      `trace=${DELAYED.renames},${DELAYED.writes}`,
      "-e",
      `inject=${DELAYED.renames}:delay_enter=${rename}`,
      "-e",
      `inject=openat:delay_enter=${open}:when=${step(1, 4)}+${step(3, 5)}`,
      "-e",
      `inject=write:delay_enter=${write}:when=${step(1, 50)}+${step(30, 70)}`,
      command,
      ...args,
    ],
  };
}
