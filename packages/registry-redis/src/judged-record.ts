import type { WorkerRecord } from "@modelpool/core";

/**
 * Whether a stored record is still the one a caller judged: every field equal but its lease entries
 * (`holders`, which other processes change with every lease and release, and which never make a worker
 * less leasable) and `aliveUntil` (computed by each reader, never stored). Anything else — status,
 * draining, fingerprint, URL, pid — is what a gate or a policy judged, so a lease written after it changed
 * would rest on a judgement nobody made.
 */
export function isJudgedRecord(stored: WorkerRecord, judged: WorkerRecord): boolean {
  const { holders: _a, aliveUntil: _b, ...storedRest } = stored;
  const { holders: _c, aliveUntil: _d, ...judgedRest } = judged;
  return sameValue(storedRest, judgedRest);
}

/** Deep equality of JSON-shaped values (key order aside); `undefined` members count as absent. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!sameValue(left[key], right[key])) return false;
  return true;
}
