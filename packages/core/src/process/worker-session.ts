import { readdirSync, readFileSync } from "node:fs";
import { linuxNow, parseLinuxInstant } from "./linux-clock.js";
import { linuxBoot } from "./process-identity.js";
import { checkRecordedProcess, type RecordedProcess } from "./recorded-process.js";

/** A process found in a worker's session. `ticks`: its start time, clock ticks since boot. */
export type SessionMember = {
  readonly pid: number;
  readonly pgid: number;
  readonly ticks: number;
  readonly zombie: boolean;
};

/**
 * A recorded worker's session as it is now. `ours` only with a proof; then every live process in it is
 * something the worker started (a session is entered only by being forked into it).
 */
export type WorkerSession =
  | {
      readonly ours: true;
      readonly proof: string;
      readonly members: readonly SessionMember[];
      /** A later `verifiedAt` for the record: the session was proven the worker's after this moment. */
      readonly verifiedAt: string;
    }
  | { readonly ours: false; readonly gone: boolean; readonly reason: string };

/**
 * Finds the session a recorded worker leads (or led), and proves it is still the worker's, on Linux.
 *
 * Why the proof holds: Linux never hands out a pid while a process still uses it as its session or group id,
 * so session `pid` cannot be recreated while any process of the old one lives. Hence the session is the
 * worker's if its leader is alive and is the recorded process (pid, start time, executable); or, once the
 * leader has exited, if some process still in it started after the leader and before `verifiedAt` (a moment
 * at which the session was seen to be the worker's): such a process was forked into the worker's session,
 * and its staying there kept the number from being reused since. A session whose leader pid now runs
 * another process, or whose members all started later, is someone else's.
 */
export function readWorkerSession(recorded: RecordedProcess): WorkerSession {
  if (process.platform !== "linux" || recorded.pidSession === undefined) {
    return { ours: false, gone: false, reason: `pid ${recorded.pid}: no session was recorded for it` };
  }
  const leaderStart = parseLinuxInstant(recorded.pidStart);
  const verifiedAt = parseLinuxInstant(recorded.pidSession.verifiedAt);
  if (!leaderStart || !verifiedAt || verifiedAt.boot !== leaderStart.boot) {
    return { ours: false, gone: false, reason: `pid ${recorded.pid}: its recorded session cannot be verified` };
  }
  if (leaderStart.boot !== linuxBoot().id) {
    return { ours: false, gone: true, reason: `pid ${recorded.pid} was recorded before the machine restarted` };
  }
  const now = linuxNow();
  const nowTicks = parseLinuxInstant(now)?.ticks ?? 0;
  if (verifiedAt.ticks > nowTicks + 1) {
    // Written by no modelpool (at most the current tick, included): a moment not yet reached would make any
    // later session look like the worker's.
    return { ours: false, gone: false, reason: `pid ${recorded.pid}: its session was recorded as seen in the future` };
  }
  // Never earlier than the recorded one (which may include the current tick).
  const seenNow = now !== undefined && nowTicks > verifiedAt.ticks ? now : recorded.pidSession.verifiedAt;
  const members = scanSession(recorded.pid);
  const leader = members.find((member) => member.pid === recorded.pid);
  if (leader && !leader.zombie) {
    const check = checkRecordedProcess(recorded);
    return check.ok
      ? { ours: true, proof: `its leader, pid ${recorded.pid}, is the recorded process`, members, verifiedAt: seenNow }
      : { ours: false, gone: false, reason: `${check.reason}, so session ${recorded.pid} is not the worker's` };
  }
  if (leader && leader.ticks !== leaderStart.ticks) {
    return { ours: false, gone: false, reason: `pid ${recorded.pid} is now another (exited) process` };
  }
  const live = members.filter((member) => !member.zombie);
  if (live.length === 0) return { ours: false, gone: true, reason: `nothing is left of worker pid ${recorded.pid}` };
  // Strictly before: a process started in the same clock tick as `verifiedAt` may have started after it.
  const witness = members.find(
    (member) => member.pid !== recorded.pid && member.ticks >= leaderStart.ticks && member.ticks < verifiedAt.ticks,
  );
  if (witness) {
    return {
      ours: true,
      proof: `its leader pid ${recorded.pid} has exited, but pid ${witness.pid}, started in its session while it was the worker's, is still there`,
      members,
      verifiedAt: seenNow,
    };
  }
  return {
    ours: false,
    gone: false,
    reason: `session ${recorded.pid} has ${live.length} process(es), none provably started by the worker`,
  };
}

/** Every process whose session is `sid`, from /proc/<pid>/stat. */
function scanSession(sid: number): SessionMember[] {
  const members: SessionMember[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // exited while we looked
    }
    // The command name (field 2) is in parentheses and may contain ") ", so split after the last one.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[3]) !== sid) continue;
    members.push({
      pid: Number(entry),
      pgid: Number(fields[2]),
      ticks: Number(fields[19]),
      zombie: fields[0] === "Z" || fields[0] === "X",
    });
  }
  return members;
}
