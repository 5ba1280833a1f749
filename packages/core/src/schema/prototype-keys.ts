const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The path to the first own key anywhere in `value` that could reach an object's prototype when copied
 * (`__proto__`, `constructor`, `prototype`), or undefined. JSON.parse keeps such keys as plain data and
 * zod drops them silently; modelpool refuses them loudly instead, so hostile input is seen, not reshaped.
 */
export function findPrototypeKey(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.has(key)) return [...path, key];
    const found = findPrototypeKey((value as Record<string, unknown>)[key], [
      ...path,
      Array.isArray(value) ? Number(key) : key,
    ]);
    if (found) return found;
  }
  return undefined;
}
