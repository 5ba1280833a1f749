import { InvalidRequestError } from "../errors/InvalidRequestError.js";
import { parseOrThrow } from "../schema/parse-or-throw.js";
import { type ResolvedWorkerRequest, type WorkerRequest, WorkerRequestSchema } from "../schema/request.js";

const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** A request is a workerId and a small fingerprint: anything deeper or larger is not one. */
const MAX_DEPTH = 8;
const MAX_NODES = 1_000;

/** The application's own data: passed through by reference, never walked, validated or copied. */
const OPAQUE_KEYS = new Set(["context"]);

/**
 * A request, validated (zod, strict: unknown keys are refused by name), or an InvalidRequestError. Before
 * zod sees it, its shape is walked once with bounds, so a cyclic, very deep or huge request is a typed
 * error, never a RangeError, and a prototype key is refused loudly instead of dropped. `context` is the
 * application's and is handed on as it is (the same object, whatever it holds).
 */
export function parseRequest<Context>(input: WorkerRequest<Context>): ResolvedWorkerRequest<Context> {
  const problem = shapeProblem(input);
  if (problem) throw new InvalidRequestError([{ path: problem.path, message: problem.message }]);
  const parsed = parseOrThrow(WorkerRequestSchema, input, (issues) => new InvalidRequestError(issues));
  return parsed as ResolvedWorkerRequest<Context>;
}

type Problem = { path: (string | number)[]; message: string };

function shapeProblem(root: unknown): Problem | undefined {
  let nodes = 0;
  const ancestors = new Set<object>();
  const walk = (value: unknown, path: (string | number)[]): Problem | undefined => {
    if (typeof value !== "object" || value === null || value instanceof AbortSignal) return undefined;
    if (ancestors.has(value)) return { path, message: "the request refers to itself (a cycle)" };
    if (path.length > MAX_DEPTH) return { path, message: `nested deeper than ${MAX_DEPTH} levels` };
    ancestors.add(value);
    try {
      for (const key of Object.keys(value)) {
        if (++nodes > MAX_NODES) return { path, message: `more than ${MAX_NODES} values` };
        if (PROTOTYPE_KEYS.has(key)) return { path: [...path, key], message: "a prototype key is not allowed" };
        if (path.length === 0 && OPAQUE_KEYS.has(key)) continue;
        const found = walk((value as Record<string, unknown>)[key], [
          ...path,
          Array.isArray(value) ? Number(key) : key,
        ]);
        if (found) return found;
      }
    } finally {
      ancestors.delete(value);
    }
    return undefined;
  };
  return walk(root, []);
}
