import { readLiveProcess } from "./process-identity.js";
import { protectedTargetReason } from "./protected-targets.js";
import { checkRecordedProcess, type RecordedProcess } from "./recorded-process.js";
import { readWorkerSession } from "./worker-session.js";

/** What a signal to a recorded worker did: which pids it reached, or why nothing was sent. */
export type SignalResult =
  | { readonly sent: true; readonly pids: readonly number[]; readonly how: string }
  | {
      readonly sent: false;
      /** `protected`: pid ≤ 1, this process, an ancestor, or its group; never signalled, whatever the record says. */
      readonly why: "protected" | "not-the-recorded-process" | "gone";
      readonly reason: string;
    };

/**
 * The one place modelpool sends a signal (other than the signal-0 existence probe): every stop goes
 * through here, so its rules hold for every caller.
 * - Never a protected target (see `protectedTargetReason`): checked on the `kill(2)` argument itself.
 * - A process only while it is the recorded one (pid, start time, executable where recorded).
 * - A session (its process group, and each process in it) only when the record says the worker leads one
 *   (`pidSession`) and the session is provably still the worker's (see `readWorkerSession`), even after its
 *   leader has exited. Each member is identified again just before it is signalled.
 * There is no pidfd in Node, so a pid could in theory be recycled between the check and the signal; that
 * window is one system call wide.
 */
export function signalRecordedWorker(recorded: RecordedProcess, signal: NodeJS.Signals): SignalResult {
  const refusal = protectedTargetReason(recorded.pid) ?? (recorded.pidSession && protectedTargetReason(-recorded.pid));
  if (refusal) return { sent: false, why: "protected", reason: refusal };
  if (recorded.pidSession !== undefined && process.platform === "linux") return signalSession(recorded, signal);
  const check = checkRecordedProcess(recorded);
  if (!check.ok) {
    const why = /not running|zombie/.test(check.reason) ? "gone" : "not-the-recorded-process";
    return { sent: false, why, reason: check.reason };
  }
  const sent = send(recorded.pid, signal);
  return sent === true
    ? { sent: true, pids: [recorded.pid], how: `pid ${recorded.pid} is the recorded process` }
    : { sent: false, why: "gone", reason: sent };
}

function signalSession(recorded: RecordedProcess, signal: NodeJS.Signals): SignalResult {
  const session = readWorkerSession(recorded);
  if (!session.ours) {
    return { sent: false, why: session.gone ? "gone" : "not-the-recorded-process", reason: session.reason };
  }
  // The group first (it also reaches a child forked since the scan), then each member by pid: members that
  // moved to a group of their own are still in the session.
  send(-recorded.pid, signal);
  const pids: number[] = [];
  for (const member of session.members) {
    if (member.zombie) continue;
    const live = readLiveProcess(member.pid);
    const same = live.running && live.sid === recorded.pid && live.start?.endsWith(`:${member.ticks}`) === true;
    if (same && send(member.pid, signal) === true) pids.push(member.pid);
  }
  return pids.length > 0
    ? { sent: true, pids, how: `session ${recorded.pid} is the worker's: ${session.proof}` }
    : { sent: false, why: "gone", reason: `nothing is left of worker pid ${recorded.pid}` };
}

/** The only `process.kill` with a real signal in modelpool. True when sent, else why not. */
function send(target: number, signal: NodeJS.Signals): true | string {
  const refusal = protectedTargetReason(target);
  if (refusal) return refusal;
  try {
    process.kill(target, signal);
    return true;
  } catch (error) {
    return `${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}
