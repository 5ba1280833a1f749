// Only the two functions used, not semver's index: it loads every class and function of semver, which
// cost a new process importing this policy about a third more time than these two do.
import parseVersion from "semver/functions/parse.js";
import satisfies from "semver/functions/satisfies.js";
import * as z from "zod";
import { type ParsedModelId, parseModelId } from "./parse-model-id.js";

/** `^`: same major, not older. `~`: same minor, not older. `=`: the same version. */
export const VersionRangeSchema = z.enum(["^", "~", "="]);
export type VersionRange = z.infer<typeof VersionRangeSchema>;

export type ModelIdParser = (id: string) => ParsedModelId | undefined;

export type FamilyCompatibility = {
  readonly compatible: boolean;
  readonly reason: string;
  /** Both ids parsed, when they did. */
  readonly requested?: ParsedModelId;
  readonly running?: ParsedModelId;
};

/**
 * May a worker running model `running` serve a request for `requested`? Yes when the ids are identical,
 * or when both parse to the same provider and family and the running version satisfies `<range>requested`.
 * A provider named on one side only does not count against them. Never throws, whatever the strings.
 */
export function familyCompatible(
  requested: string,
  running: string,
  options: { range?: VersionRange; parse?: ModelIdParser } = {},
): FamilyCompatibility {
  try {
    if (requested === running) return { compatible: true, reason: `identical model id ${JSON.stringify(running)}` };
    const range = options.range ?? "^";
    const parse = options.parse ?? parseModelId;
    const want = parse(requested);
    const have = parse(running);
    if (!want || !have) {
      const which = !want ? requested : running;
      return {
        compatible: false,
        reason: `cannot parse model id ${JSON.stringify(which)}; only identical ids are compatible`,
      };
    }
    const both = { requested: want, running: have };
    if (want.provider !== undefined && have.provider !== undefined && want.provider !== have.provider) {
      return {
        compatible: false,
        reason: `provider differs: running ${have.provider}, requested ${want.provider}`,
        ...both,
      };
    }
    if (want.family !== have.family) {
      return { compatible: false, reason: `family differs: running ${have.family}, requested ${want.family}`, ...both };
    }
    const wanted = `${range === "=" ? "" : range}${want.version}`;
    const ok = satisfies(have.version, wanted);
    return {
      compatible: ok,
      reason: `${ok ? "same family" : "version incompatible"} ${have.family}: running ${have.version} ${ok ? "satisfies" : "does not satisfy"} ${wanted}`,
      ...both,
    };
  } catch (error) {
    // A third-party parser may throw; compatibility is then simply not established.
    return {
      compatible: false,
      reason: `could not compare model ids: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** How far apart two versions are, for ranking: 0 when equal; majors weigh most. */
export function versionDistance(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  if (!x || !y) return Number.MAX_SAFE_INTEGER;
  return Math.abs(x.major - y.major) * 1e6 + Math.abs(x.minor - y.minor) * 1e3 + Math.abs(x.patch - y.patch);
}
