import * as z from "zod";
import { ModelPolicySchema } from "../../../schema/fingerprint.js";
import { lazySchema } from "../../../schema/lazy-schema.js";
import { PARSE_CONTEXT } from "../../../schema/parse-or-throw.js";
import { findPrototypeKey } from "../../../schema/prototype-keys.js";
import type { RegistryFileV2 } from "../v2/index.js";

/** The file today's orchestrators write: `{ version: 1, updatedAt, entries: [worker | session | ...] }`. */
export const registryFileV1Schema = lazySchema(() =>
  z.looseObject({
    version: z.literal(1),
    updatedAt: z.number().optional(),
    entries: z.array(z.unknown()),
  }),
);
export type RegistryFileV1 = z.infer<ReturnType<typeof registryFileV1Schema>>;

/** A v1 worker entry. `model`/`modelPolicy` were added by some orchestrators; many entries have neither. */
/** Built when a legacy file is first read, not at import (see lazySchema). */
export const workerEntryV1Schema = lazySchema(() =>
  z.looseObject({
    kind: z.literal("worker"),
    workerId: z.string(),
    pid: z.number(),
    startedAt: z.number(),
    model: z.string().optional(),
    modelPolicy: ModelPolicySchema.optional(),
  }),
);

/**
 * To version 2: worker entries get an `id` and a `fingerprint` built from `model`/`modelPolicy` (none
 * when no model was recorded), and keep every field they had (`model` and `modelPolicy` included);
 * entries of other kinds, and worker entries this schema cannot read, stay exactly as they were.
 */
export function migrate(file: RegistryFileV1): RegistryFileV2 {
  return { ...file, version: 2, entries: file.entries.map(migrateEntry) };
}

function migrateEntry(entry: unknown): unknown {
  // zod drops `__proto__` and its kin silently: kept as it is, the entry is refused loudly by the record reader.
  if (findPrototypeKey(entry)) return entry;
  const parsed = workerEntryV1Schema().safeParse(entry, PARSE_CONTEXT);
  if (!parsed.success) return entry;
  const { model, modelPolicy } = parsed.data;
  const fingerprint =
    model !== undefined && model.trim() !== ""
      ? { resolvedModel: model, modelPolicy: modelPolicy ?? "dynamic" }
      : undefined;
  return {
    ...parsed.data,
    id: `v1:${parsed.data.workerId}:${parsed.data.pid}:${parsed.data.startedAt}`,
    ...(fingerprint ? { fingerprint } : {}),
  };
}
