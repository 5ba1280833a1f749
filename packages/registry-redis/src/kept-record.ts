import { frozenCopy, type WorkerRecord } from "@modelpool/core";

/**
 * The store's own copy of a record it remembers (`holdJudged` judges and writes from it): deep and frozen,
 * never an object it hands out. The records a lookup returns reach the application (a decision's worker and
 * candidates, a lease's worker); were the remembered record one of them, a field the application writes
 * there — or a `draining` it deletes — would be written into Redis by the next judged lease, past the
 * validation and the judgement both. Core's `frozenCopy`: one pass over JSON-shaped data.
 */
export function keptRecord(record: WorkerRecord): WorkerRecord {
  return frozenCopy(record);
}
