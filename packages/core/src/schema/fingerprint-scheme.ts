import type { ModelFingerprint } from "./fingerprint.js";

/**
 * The version of the fingerprint scheme this modelpool writes. Bump it (and add a step to `upgrades`)
 * whenever what a fingerprint means changes, so that running workers recorded under the old meaning are
 * translated, not suddenly all judged incompatible (the Docker Compose config-hash trap).
 */
export const FINGERPRINT_SCHEME = 1;

/** `upgrades[n]` turns a scheme-n fingerprint into a scheme-(n+1) one. Empty while only scheme 1 exists. */
const upgrades: Record<number, (fingerprint: ModelFingerprint) => ModelFingerprint> = {};

export type SchemeReading = { readonly fingerprint: ModelFingerprint } | { readonly unreadable: string };

/** A recorded fingerprint in today's scheme, or why it cannot be read (written by a newer modelpool). */
export function readRecordedFingerprint(fingerprint: ModelFingerprint, scheme = 1): SchemeReading {
  if (scheme > FINGERPRINT_SCHEME) {
    return {
      unreadable: `its fingerprint follows scheme ${scheme}, newer than this modelpool's ${FINGERPRINT_SCHEME}`,
    };
  }
  let current = fingerprint;
  for (let version = scheme; version < FINGERPRINT_SCHEME; version++) {
    const upgrade = upgrades[version];
    if (!upgrade) return { unreadable: `no upgrade from fingerprint scheme ${version}` };
    current = upgrade(current);
  }
  return { fingerprint: current };
}
