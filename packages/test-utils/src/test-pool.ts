import { WorkerPool, type WorkerPoolOptions } from "@modelpool/core";
import { onTestFinished } from "vitest";
import { modelWorkerBackend } from "./model-worker.js";

/** A pool over the model worker whose workers are all stopped when the test ends. */
export function testPool(
  options: Partial<WorkerPoolOptions> & { registry: WorkerPoolOptions["registry"] },
): WorkerPool {
  const pool = new WorkerPool({ backend: modelWorkerBackend(), ...options });
  onTestFinished(() => pool.stopAll().then(() => undefined));
  return pool;
}
