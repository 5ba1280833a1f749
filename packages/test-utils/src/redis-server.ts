import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Why Redis tests cannot run here, or undefined when `redis-server` is installed. CI installs it. */
export function redisServerMissing(): string | undefined {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "redis-server is not installed (apt-get install -y redis-server; .ci/run does it)";
  }
}

/** A free TCP port on loopback (the OS picks one; it is free again when this resolves). */
export async function freeLoopbackPort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * A private `redis-server` for tests: its own loopback port and temp directory, no persistence
 * (`--save '' --appendonly no`), so a restart loses every key, as a real unpersisted Redis does.
 */
export class TestRedisServer {
  readonly port: number;
  readonly dir: string;
  readonly #extraArgs: readonly string[];
  #process: ChildProcess | undefined;

  private constructor(port: number, dir: string, extraArgs: readonly string[]) {
    this.port = port;
    this.dir = dir;
    this.#extraArgs = extraArgs;
  }

  /** Starts a server; `extraArgs` are more `redis-server` options (e.g. `--requirepass`, `secret`). */
  static async start(extraArgs: readonly string[] = []): Promise<TestRedisServer> {
    const dir = await mkdtemp(join(tmpdir(), "modelpool-redis-"));
    const server = new TestRedisServer(await freeLoopbackPort(), dir, extraArgs);
    await server.#launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Sends one command with `redis-cli` (independent of the client under test) and returns its output. */
  cli(...args: string[]): string {
    const auth = this.#password() ? ["--no-auth-warning", "-a", this.#password() as string] : [];
    return execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), ...auth, ...args], {
      encoding: "utf8",
    }).trim();
  }

  /** Sets a key to any value, however large (sent on stdin: a command line has a size limit). */
  setRaw(key: string, value: string): void {
    const auth = this.#password() ? ["--no-auth-warning", "-a", this.#password() as string] : [];
    execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), ...auth, "-x", "SET", key], {
      input: value,
    });
  }

  /** SIGKILL and start again on the same port: with no persistence, every key is gone. */
  async restart(): Promise<void> {
    await this.stop(false);
    await this.#launch();
  }

  async stop(removeDir = true): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    if (removeDir) await rm(this.dir, { recursive: true, force: true });
  }

  async #launch(): Promise<void> {
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
        ...this.#extraArgs,
      ],
      { stdio: "ignore" },
    );
    this.#process = child;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${this.port} within 10 s`);
      await sleep(20);
    }
  }

  #password(): string | undefined {
    const at = this.#extraArgs.indexOf("--requirepass");
    return at >= 0 ? this.#extraArgs[at + 1] : undefined;
  }
}

/** Does something accept a connection on the port and answer `PING`? */
async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}
