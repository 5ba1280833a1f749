import { describeIssues } from "../errors/describe-issues.js";
import { findPrototypeKey } from "../schema/prototype-keys.js";
import { type WorkerRecord, WorkerRecordSchema } from "../schema/worker-record.js";
import { migrateToLatest, REGISTRY_VERSION, RegistryFileSchema } from "./schema/index.js";

/** A registry file as this version understands it. */
export type RegistryContents = {
  /** The version found in the file (REGISTRY_VERSION for a missing file). */
  readonly version: number;
  /** Written by a newer modelpool: readable, never written by this one. */
  readonly readOnly: boolean;
  readonly workers: readonly WorkerRecord[];
  /** Entries of other kinds (sessions...) and worker entries this version cannot read, kept verbatim. */
  readonly preserved: readonly unknown[];
  /** Why each unreadable worker entry could not be read (it is kept in `preserved`). */
  readonly invalid: readonly { readonly index: number; readonly reason: string }[];
  /** Top-level fields other than version/updatedAt/entries, kept verbatim. */
  readonly extra: Readonly<Record<string, unknown>>;
};

export type DecodeResult =
  | { readonly ok: true; readonly contents: RegistryContents }
  | { readonly ok: false; readonly detail: string };

export const EMPTY_CONTENTS: RegistryContents = {
  version: REGISTRY_VERSION,
  readOnly: false,
  workers: [],
  preserved: [],
  invalid: [],
  extra: {},
};

/** Reads registry text of any known version (and, read-only, of newer ones); says why when it cannot. */
export function decodeRegistry(text: string): DecodeResult {
  if (text.trim() === "") return { ok: false, detail: "the file is empty" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, detail: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, detail: "the top level is not a JSON object" };
  }
  const version = (raw as { version?: unknown }).version;
  if (typeof version === "number" && Number.isInteger(version) && version > REGISTRY_VERSION) {
    const entries = (raw as { entries?: unknown }).entries;
    return { ok: true, contents: classify(version, true, Array.isArray(entries) ? entries : [], raw) };
  }
  const parsed = RegistryFileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, detail: `not a registry file: ${describeIssues(parsed.error.issues)}` };
  const latest = migrateToLatest(parsed.data);
  return { ok: true, contents: classify(parsed.data.version, false, latest.entries, latest) };
}

function classify(version: number, readOnly: boolean, entries: readonly unknown[], file: object): RegistryContents {
  const workers: WorkerRecord[] = [];
  const preserved: unknown[] = [];
  const invalid: { index: number; reason: string }[] = [];
  entries.forEach((entry, index) => {
    if (!isWorkerEntry(entry)) {
      preserved.push(entry);
      return;
    }
    const prototypeKey = findPrototypeKey(entry);
    if (prototypeKey) {
      preserved.push(entry);
      invalid.push({ index, reason: `${prototypeKey.join(".")}: a prototype key is not allowed` });
      return;
    }
    const parsed = WorkerRecordSchema.safeParse(entry);
    if (parsed.success) {
      workers.push(parsed.data);
    } else {
      preserved.push(entry);
      invalid.push({ index, reason: describeIssues(parsed.error.issues) });
    }
  });
  const { version: _v, updatedAt: _u, entries: _e, ...extra } = file as Record<string, unknown>;
  return { version, readOnly, workers, preserved, invalid, extra };
}

function isWorkerEntry(entry: unknown): boolean {
  return typeof entry === "object" && entry !== null && (entry as { kind?: unknown }).kind === "worker";
}

/** Version-2 text, one entry per line: small diffs, readable with `cat`, cheap to parse. */
export function encodeRegistry(contents: RegistryContents, workers: readonly WorkerRecord[], now: number): string {
  const entries = [...contents.preserved, ...workers].map((entry) => JSON.stringify(entry));
  const head = JSON.stringify({ ...contents.extra, version: REGISTRY_VERSION, updatedAt: now }).slice(0, -1);
  return `${head},"entries":[${entries.length ? `\n${entries.join(",\n")}\n` : ""}]}\n`;
}
