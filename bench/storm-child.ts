// One of several OS processes asking at the same moment for the same workerId and model.
import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { modelServerBackend } from "../examples/worker/backend.js";
import { naiveFindWorker, naiveUpsert } from "./naive-registry.js";
import { readyThenWaitForGo } from "./start-signal.js";

const [mode, path] = process.argv.slice(2) as [string, string];
const request = { workerId: "storm", fingerprint: { resolvedModel: "openai/gpt-5-mini" } };
await readyThenWaitForGo();

if (mode === "naive") {
  // Today's way: look, and spawn if nothing is there; nothing stops the others from doing the same.
  const found = await naiveFindWorker(path, "storm", request.fingerprint.resolvedModel);
  let pid = found?.pid;
  if (pid === undefined) {
    const resolved = {
      ...request,
      fingerprint: { ...request.fingerprint, modelPolicy: "dynamic" as const },
      forceNew: false,
    };
    const spawned = await modelServerBackend().spawn(resolved, { signal: new AbortController().signal });
    pid = spawned.pid;
    await naiveUpsert(path, {
      kind: "worker",
      id: `storm-${pid}`,
      workerId: "storm",
      pid,
      status: "ready",
      model: request.fingerprint.resolvedModel,
      updatedAt: Date.now(),
    });
  }
  console.log(JSON.stringify({ pid, spawned: found === undefined, doneAt: Date.now() }));
} else {
  const pool = new WorkerPool({
    backend: modelServerBackend(),
    registry: new DeviceRegistry({ path, legacySources: false }),
    plugins: [new ExactModelPolicy()],
  });
  const { worker, decision } = await pool.getOrSpawn(request);
  console.log(
    JSON.stringify({
      pid: worker.pid,
      spawned: decision.outcome === "spawned" && !decision.shared,
      doneAt: Date.now(),
    }),
  );
}
