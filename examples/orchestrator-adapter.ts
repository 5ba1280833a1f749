/**
 * An orchestrator that keeps its own worker map, wired to modelpool.
 *
 * The orchestrator is shaped like a real one: it spawns a worker per *profile* (an id, a model, options)
 * with its own spawn function, keeps its workers in a map keyed by profile id, writes them to its own
 * registry file (version 1) so its next session can find them, and stops them at shutdown. The block
 * marked "modelpool wiring" is everything the integration adds: modelpool decides whether a running worker
 * may be reused (ExactModelPolicy: only on the same model), spawns once however many ask at the same time,
 * and stops what it started — and the orchestrator keeps its own map and file, in step with what modelpool
 * answered. Run it: `node --import tsx --conditions=@modelpool/source examples/orchestrator-adapter.ts`
 * (or `bun --conditions=@modelpool/source examples/orchestrator-adapter.ts`).
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { DeviceRegistry, type WorkerBackend, type WorkerLease, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { MODEL_SERVER_SCRIPT } from "./worker/backend.js";

// ---- the orchestrator as it was -------------------------------------------------------------------

/** What to run: the orchestrator's unit of configuration. */
export type WorkerProfile = { id: string; model: string; options?: { env?: Record<string, string> } };
export type SpawnOptions = { directory: string; forceNew?: boolean };
/** The orchestrator's own worker object: what the rest of the orchestrator uses. */
export type WorkerInstance = {
  profile: WorkerProfile;
  pid: number;
  url: string;
  directory: string;
  status: "ready" | "stopped";
  startedAt: number;
};
export type SpawnFn = (
  profile: WorkerProfile,
  options: SpawnOptions & { signal?: AbortSignal },
) => Promise<WorkerInstance>;

/** The orchestrator's spawn function: starts the bundled model server for a profile; an abort kills it. */
export async function spawnModelServer(
  profile: WorkerProfile,
  options: SpawnOptions & { signal?: AbortSignal },
): Promise<WorkerInstance> {
  const child = spawn(process.execPath, [MODEL_SERVER_SCRIPT], {
    env: { ...process.env, ...profile.options?.env, MODELPOOL_MODEL: profile.model },
    stdio: ["ignore", "pipe", "ignore"],
    detached: true, // its own process group, as a server should be
  });
  child.unref();
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const fail = (error: Error) => {
      child.kill("SIGKILL");
      reject(error);
    };
    options.signal?.addEventListener("abort", () => fail(new Error("spawn aborted")), { once: true });
    child.once("exit", (code) => reject(new Error(`model server exited with ${code}`)));
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const found = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (found) resolve(found);
    });
  });
  child.stdout?.destroy();
  const pid = child.pid as number;
  return { profile, pid, url, directory: options.directory, status: "ready", startedAt: Date.now() };
}

/** Where the orchestrator keeps its own registry file; recomputed on each call, as it always was. */
export function orchestratorRegistryPath(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(configHome, "opencode", "orchestrator-device-registry.json");
}

let writes = 0;

/** The orchestrator's registry file: `{ version: 1, entries: [...] }`, rewritten whole (temp file + rename). */
async function writeRegistryFile(instances: Iterable<WorkerInstance>): Promise<void> {
  const path = orchestratorRegistryPath();
  const now = Date.now();
  const entries = [...instances].map((w) => ({
    kind: "worker",
    workerId: w.profile.id,
    pid: w.pid,
    url: w.url,
    status: w.status,
    startedAt: w.startedAt,
    updatedAt: now,
    model: w.profile.model,
  }));
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${++writes}.tmp`;
  await writeFile(temp, JSON.stringify({ version: 1, updatedAt: now, entries }));
  await rename(temp, path);
}

/** The orchestrator's own listing of its registry file. */
export async function listRegistryFile(): Promise<{ workerId: string; pid: number; model?: string }[]> {
  try {
    return JSON.parse(await readFile(orchestratorRegistryPath(), "utf8")).entries;
  } catch {
    return [];
  }
}

/** What a request carries to the orchestrator's spawn function, through modelpool (never written anywhere). */
type SpawnRequest = { profile: WorkerProfile; options: SpawnOptions };

export class Orchestrator {
  /** The orchestrator's own map: one worker per profile id. */
  readonly workers = new Map<string, WorkerInstance>();
  readonly #spawn: SpawnFn;

  // ---- modelpool wiring: begin (25 lines; plus the 4 lines marked "modelpool" below, and adopt if wanted) --
  readonly pool: WorkerPool<SpawnRequest, WorkerInstance>;
  readonly #leases = new Map<string, WorkerLease<WorkerInstance>>(); // the lease behind each map entry

  constructor(options: { registry: string; spawn?: SpawnFn }) {
    this.#spawn = options.spawn ?? spawnModelServer;
    const spawn: WorkerBackend<SpawnRequest, WorkerInstance>["spawn"] = async ({ context }, { signal }) => {
      const { profile, options } = context as SpawnRequest;
      const instance = await this.#spawn(profile, { ...options, signal });
      return { pid: instance.pid, url: instance.url, handle: instance };
    };
    // Its own file stays its own: read as candidates (the same worker as a record counts once), never written.
    const registry = new DeviceRegistry({ path: options.registry, legacySources: () => [orchestratorRegistryPath()] });
    const plugins = [new ExactModelPolicy()];
    this.pool = new WorkerPool({ backend: { name: "orchestrator", spawn }, registry, plugins });
  }

  async getOrSpawn(profile: WorkerProfile, options: SpawnOptions): Promise<WorkerInstance> {
    const fingerprint = { resolvedModel: profile.model };
    const [forceNew, context] = [!!options.forceNew, { profile, options }];
    const lease = await this.pool.getOrSpawn({ workerId: profile.id, fingerprint, forceNew, context });
    const replaced = this.#leases.get(profile.id);
    this.#leases.set(profile.id, lease);
    // The same worker: the newer lease holds it. Another (forceNew, a model change): the old one is stopped.
    await (replaced?.worker.id === lease.worker.id ? replaced.release() : replaced?.stop());
    const { pid, url = "", startedAt } = lease.worker; // a worker of an earlier session: known by its record
    return this.register(
      lease.handle ?? { profile, pid, url, directory: options.directory, status: "ready", startedAt },
    );
  }
  // ---- modelpool wiring: end ----------------------------------------------------------------------------
  // The map follows this orchestrator's own calls (getOrSpawn, stop, shutdown): a worker stopped by someone
  // else meanwhile (another session, an idle TTL) is noticed, and replaced, by the next getOrSpawn.

  /**
   * Optional wiring (5 lines): a worker started before modelpool was wired in is recorded (identity
   * checked), then reused like any other.
   */
  async adopt(instance: WorkerInstance): Promise<void> {
    const { profile, pid, url } = instance;
    await this.pool.adopt({ workerId: profile.id, pid, url, fingerprint: { resolvedModel: profile.model } });
  }

  async stop(profileId: string): Promise<void> {
    await this.#leases.get(profileId)?.stop(); // modelpool: stopped unless another session holds it
    this.#leases.delete(profileId); // modelpool
    await this.unregister(profileId);
  }

  async shutdown(): Promise<void> {
    this.#leases.clear(); // modelpool
    await this.pool.stopAll(); // modelpool: stops the workers this session started
    for (const id of [...this.workers.keys()]) await this.unregister(id);
  }

  async register(instance: WorkerInstance): Promise<WorkerInstance> {
    this.workers.set(instance.profile.id, instance);
    await writeRegistryFile(this.workers.values());
    return instance;
  }

  async unregister(profileId: string): Promise<void> {
    const instance = this.workers.get(profileId);
    if (!instance) return;
    instance.status = "stopped";
    this.workers.delete(profileId);
    await writeRegistryFile(this.workers.values());
  }
}

// Run as a script: one session of the orchestrator, and what modelpool decided for each request.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const home = await mkdtemp(join(tmpdir(), "orchestrator-adapter-"));
  process.env.XDG_CONFIG_HOME = join(home, "config");
  const orchestrator = new Orchestrator({ registry: join(home, "registry") });
  orchestrator.pool.hooks.decided.tap("print", (d) => console.log(`${d.workerId}: ${d.outcome} (${d.reason})`));
  const docs = { id: "docs", model: "openai/gpt-5-nano" };
  await Promise.all([1, 2, 3].map(() => orchestrator.getOrSpawn(docs, { directory: home })));
  await orchestrator.getOrSpawn({ ...docs, model: "openai/gpt-5-mini" }, { directory: home });
  await orchestrator.getOrSpawn({ ...docs, model: "openai/gpt-5-mini" }, { directory: home, forceNew: true });
  console.log(`workers in the orchestrator's map: ${[...orchestrator.workers.keys()].join(", ")}`);
  await orchestrator.shutdown();
}
