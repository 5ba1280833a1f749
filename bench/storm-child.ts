// One of several OS processes asking at the same moment for the same workerId and model.
import { WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { modelServerBackend } from "../examples/worker/backend.js";
import { naiveFindWorker, naiveUpsert } from "./naive-registry.js";

const [mode, path] = process.argv.slice(2) as [string, string];
const request = { workerId: "storm", fingerprint: { resolvedModel: "openai/gpt-5-mini" } };
const startAt = Number(process.env.START_AT ?? 0);
while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 1));

if (mode === "naive") {
  // Today's way: look, and spawn if nothing is there; nothing stops the others from doing the same.
  const found = await naiveFindWorker(path, "storm");
  let pid = found?.pid;
  if (pid === undefined) {
    const resolved = {
      ...request,
      fingerprint: { ...request.fingerprint, modelPolicy: "dynamic" as const },
      forceNew: false,
    };
    const spawned = await modelServerBackend().spawn(resolved, { signal: new AbortController().signal });
    pid = spawned.pid;
    await naiveUpsert(path, { kind: "worker", id: `storm-${pid}`, workerId: "storm", pid, status: "ready" });
  }
  console.log(JSON.stringify({ pid, spawned: found === undefined, doneAt: Date.now() }));
} else {
  const pool = new WorkerPool({ backend: modelServerBackend(), registry: path, plugins: [new ExactModelPolicy()] });
  const { worker, decision } = await pool.getOrSpawn(request);
  console.log(
    JSON.stringify({
      pid: worker.pid,
      spawned: decision.outcome === "spawned" && !decision.shared,
      doneAt: Date.now(),
    }),
  );
}
