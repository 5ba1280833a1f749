/**
 * A deep, frozen copy of plain data, so a `canReuse` tap can read what it is given but never change the
 * pool's own request or record (a tap that wrote into `candidate` used to rewrite the pool's record).
 * One pass over plain objects and arrays (records are JSON data): a tenth of `structuredClone` and a
 * freeze after it, on a path every reuse decision takes. Exported for stores that keep records they also
 * hand out (a store's remembered copy must never be the object the application receives).
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = frozenCopy((value as Record<string, unknown>)[key]);
    // An own `__proto__` stays a field: assigning it would set the copy's prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: field, enumerable: true });
    else copy[key] = field;
  }
  return Object.freeze(copy) as T;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
