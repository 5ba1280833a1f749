import { z } from "zod";

/** What the `canReuse` waterfall passes from tap to tap. */
export interface ReuseVerdict {
  reuse: boolean;
  /** Why, in words a person reads in `decision.considered` and `modelpool explain` (non-empty). */
  reason: string;
  /** Which policy (tap name) produced this verdict. */
  by?: string;
  /** Among allowed candidates, the highest rank wins; ties go to the most recently updated. */
  rank?: number;
}

export const ReuseVerdictSchema = z.object({
  reuse: z.boolean(),
  reason: z.string().min(1),
  /** Which policy (tap name) produced this verdict. */
  by: z.string().optional(),
  /** Among allowed candidates, the highest rank wins; ties go to the most recently updated. */
  rank: z.number().finite().optional(),
}) satisfies z.ZodType<ReuseVerdict>;
