import { execFileSync } from "node:child_process";
import { closeSync, fstatSync, openSync, readFileSync, readlinkSync, readSync } from "node:fs";

/** What the OS says about a pid right now. */
export type LiveProcess =
  | { readonly running: false; readonly reason: string }
  | {
      readonly running: true;
      readonly pid: number;
      /** Opaque token that changes whenever the pid is reused; undefined where the OS does not tell. */
      readonly start: string | undefined;
      /** When the process started, epoch ms (to within about a second), where the OS tells. */
      readonly startedAtMs: number | undefined;
      readonly uid: number | undefined;
      readonly zombie: boolean;
      /** Parent, process group and session, where the OS tells (Linux). */
      readonly ppid?: number;
      readonly pgid?: number;
      readonly sid?: number;
    };

/**
 * Reads the identity of `pid`. On Linux it costs one stat and one small read of /proc and never signals
 * the process; elsewhere it falls back to `kill(pid, 0)` and `ps`.
 */
export function readLiveProcess(pid: number): LiveProcess {
  if (!Number.isSafeInteger(pid) || pid <= 0) return { running: false, reason: `pid ${pid} is not a valid pid` };
  return process.platform === "linux" ? readFromProc(pid) : readFromPs(pid);
}

/** The identity to record for a process this machine just started (or for ourselves). */
export function processIdentityOf(pid: number): { pid: number; start?: string } {
  const live = readLiveProcess(pid);
  return live.running && live.start !== undefined ? { pid, start: live.start } : { pid };
}

/**
 * Open /proc/<pid>/stat files, kept so a hot reuse check is one pread instead of open+read+close. An fd
 * stays bound to the process it was opened for: once that process is gone, reading it fails, even if the
 * pid has been reused since, so a cached fd can never describe another process.
 */
const statFiles = new Map<number, { fd: number; uid: number }>();
const MAX_OPEN_STAT_FILES = 128;
const statBuffer = Buffer.alloc(4096);

function readProcStat(pid: number): { text: string; uid: number } {
  const cached = statFiles.get(pid);
  if (cached) {
    try {
      const bytes = readSync(cached.fd, statBuffer, 0, statBuffer.length, 0);
      if (bytes > 0) return { text: statBuffer.toString("latin1", 0, bytes), uid: cached.uid };
    } catch {
      // the process it was opened for is gone; the pid may belong to another one now
    }
    statFiles.delete(pid);
    closeSync(cached.fd);
  }
  const fd = openSync(`/proc/${pid}/stat`, "r");
  try {
    const uid = fstatSync(fd).uid;
    const bytes = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    if (statFiles.size >= MAX_OPEN_STAT_FILES) {
      const [oldest, entry] = statFiles.entries().next().value as [number, { fd: number }];
      statFiles.delete(oldest);
      closeSync(entry.fd);
    }
    statFiles.set(pid, { fd, uid });
    return { text: statBuffer.toString("latin1", 0, bytes), uid };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function readFromProc(pid: number): LiveProcess {
  let stat: string;
  let uid: number;
  try {
    ({ text: stat, uid } = readProcStat(pid));
  } catch (error) {
    return { running: false, reason: `process ${pid} is not running (${(error as NodeJS.ErrnoException).code})` };
  }
  // The command name (field 2) is in parentheses and may itself contain ") ", so split after the last one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const ticks = fields[19];
  if (state === undefined || ticks === undefined || !/^\d+$/.test(ticks)) {
    return { running: false, reason: `process ${pid}: unreadable /proc/${pid}/stat` };
  }
  const boot = linuxBoot();
  return {
    running: true,
    pid,
    start: `linux:${boot.id}:${ticks}`,
    startedAtMs: boot.timeMs + (Number(ticks) * 1000) / boot.clockTicksPerSecond,
    uid,
    zombie: state === "Z" || state === "X",
    ...groupFields(fields),
  };
}

/** Fields 4-6 of /proc/<pid>/stat (counted from 1): parent, process group, session. */
function groupFields(fields: readonly string[]): { ppid?: number; pgid?: number; sid?: number } {
  const [ppid, pgid, sid] = [fields[1], fields[2], fields[3]].map(Number);
  return Number.isSafeInteger(ppid) && Number.isSafeInteger(pgid) && Number.isSafeInteger(sid)
    ? { ppid, pgid, sid }
    : {};
}

/**
 * The executable `pid` runs (Linux `/proc/<pid>/exe`), or undefined where it cannot be read (another user's
 * process, a zombie, a kernel thread, another OS). An executable replaced on disk since the process started
 * (a package upgrade) reads as its old path: it is still the same program.
 */
export function readExecutable(pid: number): string | undefined {
  if (process.platform !== "linux" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "");
  } catch {
    return undefined;
  }
}

let boot: { id: string; timeMs: number; clockTicksPerSecond: number } | undefined;

/** This boot's id, when it happened, and the unit of /proc start times. */
export function linuxBoot(): { id: string; timeMs: number; clockTicksPerSecond: number } {
  if (boot) return boot;
  const id = readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim();
  const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "latin1"))?.[1];
  boot = { id, timeMs: Number(btime ?? 0) * 1000, clockTicksPerSecond: clockTicks() };
  return boot;
}

/**
 * The kernel's USER_HZ, which /proc start times count in: read from this process's auxiliary vector
 * (AT_CLKTCK), as sysconf(_SC_CLK_TCK) does, instead of running `getconf` (a process spawn on the first
 * decision of every session).
 */
function clockTicks(): number {
  const AT_CLKTCK = 17n;
  try {
    const auxv = readFileSync("/proc/self/auxv");
    for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
      if (auxv.readBigUInt64LE(offset) === AT_CLKTCK) {
        const value = Number(auxv.readBigUInt64LE(offset + 8));
        if (Number.isSafeInteger(value) && value > 0) return value;
      }
    }
  } catch {
    // unreadable auxv (a 32-bit build reads garbage and finds no entry): fall through
  }
  return 100; // USER_HZ is 100 on every mainstream Linux architecture
}
function readFromPs(pid: number): LiveProcess {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, which is still "running".
    if ((error as NodeJS.ErrnoException).code !== "EPERM") {
      return { running: false, reason: `process ${pid} is not running (${(error as NodeJS.ErrnoException).code})` };
    }
  }
  try {
    const out = execFileSync("ps", ["-o", "uid=,stat=,lstart=", "-p", String(pid)], {
      encoding: "utf8",
      timeout: 2000,
    });
    const match = /^\s*(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(out);
    if (!match) return { running: false, reason: `process ${pid} is not running` };
    const startedAtMs = Date.parse(match[3] ?? "");
    return {
      running: true,
      pid,
      start: `ps:${match[3]}`,
      startedAtMs: Number.isNaN(startedAtMs) ? undefined : startedAtMs,
      uid: Number(match[1]),
      zombie: (match[2] ?? "").startsWith("Z"),
    };
  } catch {
    return { running: true, pid, start: undefined, startedAtMs: undefined, uid: undefined, zombie: false };
  }
}

let ownStart: string | undefined | null = null;
/** This process's own start-time token, read once: claims, locks and lease entries name their owner by it. */
export function ownProcessStart(): string | undefined {
  if (ownStart === null) ownStart = processIdentityOf(process.pid).start;
  return ownStart;
}

/** This process's identity (pid and start-time token), read once; a fresh object each call, callers may keep it. */
export function ownProcessIdentity(): { pid: number; start?: string } {
  const start = ownProcessStart();
  return start === undefined ? { pid: process.pid } : { pid: process.pid, start };
}
