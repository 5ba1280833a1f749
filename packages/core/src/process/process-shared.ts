/**
 * State every copy of @modelpool/core in one process shares (an application and a plugin may each have
 * their own installed copy): kept on `globalThis` under `Symbol.for("modelpool.<name>")`, made by the
 * first copy that asks. What the process writes to the registry as one holder — its lease sums, the
 * generations and names of its lease entries, its first-lease checks — must be one thing, not one per copy.
 */
export function processShared<T>(name: string, create: () => T): T {
  const slots = globalThis as Record<symbol, unknown>;
  const key = Symbol.for(`modelpool.${name}`);
  if (!(key in slots)) slots[key] = create();
  return slots[key] as T;
}
