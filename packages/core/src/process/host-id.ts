import { readFileSync } from "node:fs";
import { hostname } from "node:os";

let cached: string | undefined;

/**
 * This machine as registry records name it: its hostname and, on Linux, its boot id. A reboot ends every
 * worker, so a new boot is rightly a new host: no record of the last boot can pass for one of this boot.
 */
export function localHostId(): string {
  if (cached !== undefined) return cached;
  let boot = "";
  try {
    boot = readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim();
  } catch {
    // not Linux: the hostname alone
  }
  cached = (boot ? `${hostname()}/${boot}` : hostname()).slice(0, 256);
  return cached;
}
