import { readFileSync } from "node:fs";
import { linuxBoot } from "./process-identity.js";

/** A moment on the clock Linux gives process start times in: clock ticks since this boot. */
export type LinuxInstant = { readonly boot: string; readonly ticks: number };

/** Takes a `linux:<boot id>:<ticks>` token (a recorded start time) apart; undefined for other tokens. */
export function parseLinuxInstant(token: string | undefined): LinuxInstant | undefined {
  const match = /^linux:([^:]+):(\d+)$/.exec(token ?? "");
  if (!match?.[1] || !match[2]) return undefined;
  return { boot: match[1], ticks: Number(match[2]) };
}

/**
 * Now, as a token comparable with start times (`/proc/uptime` is on the same boot-time clock). Rounded
 * down: every process started before this call has a start time at most this, one started after it at
 * least this. With `thisTickIncluded`, one tick later: every process started by now, even within the
 * current tick, is before it. Undefined off Linux.
 */
export function linuxNow(options: { thisTickIncluded?: boolean } = {}): string | undefined {
  if (process.platform !== "linux") return undefined;
  // "12345.67": whole seconds and hundredths, read as integers (as a float, 0.57 * 100 is 56.99...).
  const match = /^(\d+)\.(\d\d)\s/.exec(readFileSync("/proc/uptime", "latin1"));
  if (!match?.[1] || !match[2]) return undefined;
  const boot = linuxBoot();
  const hundredths = Number(match[1]) * 100 + Number(match[2]);
  const ticks = Math.floor((hundredths * boot.clockTicksPerSecond) / 100) + (options.thisTickIncluded ? 1 : 0);
  return `linux:${boot.id}:${ticks}`;
}
