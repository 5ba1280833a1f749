import { z } from "zod";

/** What the `canReuse` waterfall passes from tap to tap. */
export const ReuseVerdictSchema = z.object({
  reuse: z.boolean(),
  reason: z.string().min(1),
  /** Which policy (tap name) produced this verdict. */
  by: z.string().optional(),
  /** Among allowed candidates, the highest rank wins; ties go to the most recently updated. */
  rank: z.number().finite().optional(),
});
export type ReuseVerdict = z.infer<typeof ReuseVerdictSchema>;
