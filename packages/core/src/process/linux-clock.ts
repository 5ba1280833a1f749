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
 * down, so a process that starts after this call never compares as earlier. Undefined off Linux.
 */
export function linuxNow(): string | undefined {
  if (process.platform !== "linux") return undefined;
  const uptime = Number(readFileSync("/proc/uptime", "latin1").split(" ")[0]);
  if (!Number.isFinite(uptime)) return undefined;
  const boot = linuxBoot();
  return `linux:${boot.id}:${Math.floor(uptime * boot.clockTicksPerSecond)}`;
}
