import * as z from "zod";
import { LeaseHolderSchema } from "./worker-record.js";

/**
 * One process's lease entry on one record, as the file of its own a directory store keeps it in
 * (`registry/device/holder-file.ts`): the entry, and the id of the record it holds a lease on.
 */
export const HolderFileSchema = LeaseHolderSchema.extend({
  record: z.string().min(1).max(256),
});
export type HolderFile = z.infer<typeof HolderFileSchema>;
