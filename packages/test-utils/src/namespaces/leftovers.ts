import { execFileSync } from "node:child_process";

/**
 * Every name the harness gives a namespace starts with this, then the creating process's pid (base 36) and a
 * random tag: a leftover is recognisable, and whether its creator still runs tells whether it is one.
 */
export const NAMESPACE_PREFIX = "modelpool-fleet-";

/** Runs `ip` with these arguments; throws with its stderr when it fails. */
export function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Network namespaces on this machine whose names the harness gave. */
export function harnessNamespaces(): string[] {
  let listing = "";
  try {
    listing = ip("netns", "list");
  } catch {
    return [];
  }
  return listing
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(NAMESPACE_PREFIX));
}

/** The pid that created a namespace of the harness, from its name (`modelpool-fleet-<pid36>-<tag>-<role>`). */
export function creatorOf(name: string): number | undefined {
  const pid = Number.parseInt(name.slice(NAMESPACE_PREFIX.length).split("-")[0] ?? "", 36);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Removes namespaces an earlier run left behind (its process was killed before it could clean up): those
 * whose creator no longer runs. Their links go with them (every link of the harness has one end inside one).
 */
export function removeLeftoverNamespaces(): string[] {
  const removed: string[] = [];
  for (const name of harnessNamespaces()) {
    const creator = creatorOf(name);
    if (creator !== undefined && creator !== process.pid && isRunning(creator)) continue;
    if (creator === process.pid) continue;
    try {
      ip("netns", "del", name);
      removed.push(name);
    } catch {
      // already gone
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
