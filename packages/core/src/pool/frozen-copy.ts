/**
 * A deep, frozen copy of plain data, so a `canReuse` tap can read what it is given but never change the
 * pool's own request or record (a tap that wrote into `candidate` used to rewrite the pool's record).
 */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
