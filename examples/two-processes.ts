// Two OS processes sharing one device registry: the first spawns a worker and exits, leaving it
// running; the second reuses it (same model) and is refused it after a model change.
//   node --import tsx examples/two-processes.ts            (the parent: runs both children)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceRegistry, terminateRecordedProcess, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { modelServerBackend } from "./worker/backend.js";

const [role, registryPath, model] = process.argv.slice(2);

if (role === "child") {
  // One orchestrator session: ask, report, exit without stopping the worker (the next session may reuse it).
  const pool = new WorkerPool({
    backend: modelServerBackend(),
    registry: registryPath,
    plugins: [new ExactModelPolicy()],
  });
  const { worker, decision } = await pool.getOrSpawn({
    workerId: "docs",
    fingerprint: { resolvedModel: model as string },
  });
  console.log(`process ${process.pid}: ${decision.outcome} pid ${worker.pid} — ${decision.reason}`);
} else {
  const dir = mkdtempSync(join(tmpdir(), "modelpool-two-processes-"));
  const path = join(dir, "registry.json");
  const child = (requested: string) =>
    spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "child", path, requested], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).stdout.trim();
  try {
    console.log(child("openai/gpt-5-mini"));
    console.log(child("openai/gpt-5-mini"));
    console.log(child("openai/gpt-5-nano"));
  } finally {
    // The sessions left their workers for reuse; this example cleans up after them.
    const records = await new DeviceRegistry({ path }).list();
    await Promise.all(records.map((record) => terminateRecordedProcess(record, 2_000)));
    rmSync(dir, { recursive: true, force: true });
  }
}
