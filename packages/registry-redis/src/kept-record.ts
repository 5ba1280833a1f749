import type { WorkerRecord } from "@modelpool/core";

/**
 * The store's own copy of a record it remembers (`holdJudged` judges and writes from it): deep and frozen,
 * never an object it hands out. The records a lookup returns reach the application (a decision's worker and
 * candidates, a lease's worker); were the remembered record one of them, a field the application writes
 * there — or a `draining` it deletes — would be written into Redis by the next judged lease, past the
 * validation and the judgement both. One pass over JSON-shaped data (records are what a schema validated).
 */
export function keptRecord(record: WorkerRecord): WorkerRecord {
  return frozen(record) as WorkerRecord;
}

function frozen(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozen));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = frozen((value as Record<string, unknown>)[key]);
    // An own `__proto__` stays a field: assigning it would set the copy's prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: field, enumerable: true });
    else copy[key] = field;
  }
  return Object.freeze(copy);
}
