import { readFileSync } from "node:fs";

/** How many parents up the ancestor walk goes; process trees are far shallower. */
const MAX_ANCESTORS = 64;

/**
 * Why `target` (a `kill(2)` argument: a pid, or minus a process group) must never be signalled by this
 * process, or undefined when it may be. Never: pid ≤ 1 (init; `kill(-1)` is every process, `kill(0)` our own
 * group), this process, its ancestors (the orchestrator that runs us, its shell), the leaders of its own
 * process group and session, a group this process or an ancestor belongs to or leads. No record, however
 * it was written, can turn any of these into a target. Read fresh each time: groups can change.
 */
export function protectedTargetReason(target: number): string | undefined {
  if (!Number.isSafeInteger(target) || Math.abs(target) <= 1) {
    return `${target} would be init or every process (pid ≤ 1 is never signalled)`;
  }
  const self = ownLineage();
  if (target > 0) {
    if (target === process.pid) return `pid ${target} is this process`;
    if (self.ancestors.has(target)) return `pid ${target} is an ancestor of this process`;
    if (target === self.pgid) return `pid ${target} leads this process's own process group`;
    if (target === self.sid) return `pid ${target} leads this process's session`;
    return undefined;
  }
  const group = -target;
  if (self.pgid === undefined)
    return `group ${group}: this process's own group is unknown here, so no group is signalled`;
  if (self.groups.has(group)) return `group ${group} holds this process or one of its ancestors`;
  if (group === process.pid || self.ancestors.has(group)) return `group ${group} is led by this process or an ancestor`;
  if (group === self.sid) return `group ${group} is this process's session`;
  return undefined;
}

type Lineage = { pgid: number | undefined; sid: number | undefined; ancestors: Set<number>; groups: Set<number> };

/** This process's group and session (from /proc/self/stat) and every ancestor's pid and group. */
function ownLineage(): Lineage {
  const lineage: Lineage = { pgid: undefined, sid: undefined, ancestors: new Set(), groups: new Set() };
  const self = readStat("self");
  if (!self) {
    // No /proc (not Linux): what Node tells. Groups stay unknown, and so are never signalled.
    if (process.ppid > 1) lineage.ancestors.add(process.ppid);
    return lineage;
  }
  lineage.pgid = self.pgid;
  lineage.sid = self.sid;
  lineage.groups.add(self.pgid);
  let parent = self.ppid;
  for (let depth = 0; parent > 1 && depth < MAX_ANCESTORS; depth++) {
    lineage.ancestors.add(parent);
    const stat = readStat(String(parent));
    if (!stat) break;
    lineage.groups.add(stat.pgid);
    parent = stat.ppid;
  }
  return lineage;
}

function readStat(pid: string): { ppid: number; pgid: number; sid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name (field 2) is in parentheses and may contain ") ", so split after the last one.
    const [, ppid, pgid, sid] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid) };
  } catch {
    return undefined;
  }
}
