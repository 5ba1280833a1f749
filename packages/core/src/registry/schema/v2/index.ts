import * as z from "zod";
import { lazySchema } from "../../../schema/lazy-schema.js";

/** Version 2: version 1's shape plus a model fingerprint and a process start time on every worker entry. */
export const registryFileV2Schema = lazySchema(() =>
  z.looseObject({
    version: z.literal(2),
    updatedAt: z.number().optional(),
    /** Worker entries (`kind: "worker"`, see `WorkerRecordSchema`) and entries of any other kind, kept verbatim. */
    entries: z.array(z.unknown()),
  }),
);
export type RegistryFileV2 = z.infer<ReturnType<typeof registryFileV2Schema>>;
