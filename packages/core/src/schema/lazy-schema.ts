/**
 * A schema built on its first use instead of at import: building a zod schema runs zod's constructors
 * (a fraction of a millisecond each, far more for a union or refinements), and a schema that a process
 * may never use — an update's announcement, a spawn claim, a legacy file — should not cost every new
 * process's import. The schema stays the one definition of what is valid; only its construction moves.
 */
export function lazySchema<T>(build: () => T): () => T {
  let schema: T | undefined;
  return () => {
    schema ??= build();
    return schema;
  };
}
