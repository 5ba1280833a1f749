import { z } from "zod";

/** Version 2: version 1's shape plus a model fingerprint and a process start time on every worker entry. */
export const RegistryFileV2Schema = z.looseObject({
  version: z.literal(2),
  updatedAt: z.number().optional(),
  /** Worker entries (`kind: "worker"`, see `WorkerRecordSchema`) and entries of any other kind, kept verbatim. */
  entries: z.array(z.unknown()),
});
export type RegistryFileV2 = z.infer<typeof RegistryFileV2Schema>;
