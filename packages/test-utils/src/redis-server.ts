import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect as tlsConnect } from "node:tls";

/** Why Redis tests cannot run here, or undefined when `redis-server` is installed. CI installs it. */
export function redisServerMissing(): string | undefined {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "redis-server is not installed (apt-get install -y redis-server; .ci/run does it)";
  }
}

/** Why TLS tests cannot run here (they make their certificates with `openssl`), or undefined. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "openssl is not installed (it makes the test certificates)";
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
  /** With TLS only: the PEM of the CA that signed the server's certificate (for `tls: { ca }`). */
  readonly caCert: string | undefined;
  /** The address it listens on (127.0.0.1, or an address in a network namespace of the fleet harness). */
  readonly host: string;
  readonly #extraArgs: readonly string[];
  /** A command prefix that runs `redis-server` and `redis-cli` where the server lives (`ip netns exec …`). */
  readonly #wrap: readonly string[];
  #process: ChildProcess | undefined;

  private constructor(
    port: number,
    dir: string,
    extraArgs: readonly string[],
    caCert: string | undefined,
    where: { host?: string; wrap?: readonly string[] } = {},
  ) {
    this.port = port;
    this.dir = dir;
    this.#extraArgs = extraArgs;
    this.caCert = caCert;
    this.host = where.host ?? "127.0.0.1";
    this.#wrap = where.wrap ?? [];
  }

  /**
   * A server inside a network namespace (the fleet harness's): listening on `host` there (and on that
   * namespace's loopback, for `cli`), started and talked to through `wrap` (`ip netns exec <ns>`).
   */
  static async startIn(
    where: { host: string; wrap: readonly string[]; port?: number },
    extraArgs: readonly string[] = [],
  ): Promise<TestRedisServer> {
    const dir = await mkdtemp(join(tmpdir(), "modelpool-redis-"));
    // Protected mode refuses every client not on loopback when there is no password: the namespace is the
    // harness's own network, reachable from its namespaces only. A second server there (a replica) takes
    // another port.
    const port = where.port ?? 6379;
    const server = new TestRedisServer(port, dir, ["--protected-mode", "no", ...extraArgs], undefined, where);
    await server.#launch();
    return server;
  }

  /**
   * Starts a server; `extraArgs` are more `redis-server` options (e.g. `--requirepass`, `secret`). With
   * `tls`, it listens for TLS only, with a certificate for 127.0.0.1 signed by a CA made for it.
   */
  static async start(extraArgs: readonly string[] = [], options: { tls?: boolean } = {}): Promise<TestRedisServer> {
    const dir = await mkdtemp(join(tmpdir(), "modelpool-redis-"));
    const port = await freeLoopbackPort();
    if (!options.tls) {
      const server = new TestRedisServer(port, dir, extraArgs, undefined);
      await server.#launch();
      return server;
    }
    await makeCertificates(dir);
    const tlsArgs = ["--port", "0", "--tls-port", String(port), "--tls-auth-clients", "no"];
    tlsArgs.push("--tls-cert-file", join(dir, "server.crt"), "--tls-key-file", join(dir, "server.key"));
    tlsArgs.push("--tls-ca-cert-file", join(dir, "ca.crt"));
    const server = new TestRedisServer(
      port,
      dir,
      [...extraArgs, ...tlsArgs],
      await readFile(join(dir, "ca.crt"), "utf8"),
    );
    await server.#launch();
    return server;
  }

  get url(): string {
    return `${this.caCert ? "rediss" : "redis"}://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Sends one command with `redis-cli` (independent of the client under test) and returns its output. */
  cli(...args: string[]): string {
    const auth = this.#password() ? ["--no-auth-warning", "-a", this.#password() as string] : [];
    return this.#run("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), ...auth, ...args], {
      encoding: "utf8",
    }).trim();
  }

  /** Sets a key to any value, however large (sent on stdin: a command line has a size limit). */
  setRaw(key: string, value: string): void {
    const auth = this.#password() ? ["--no-auth-warning", "-a", this.#password() as string] : [];
    this.#run("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), ...auth, "-x", "SET", key], {
      input: value,
      encoding: "utf8",
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

  /** SIGSTOPs the server (it stalls: connections stay open, nothing is answered) or resumes it. */
  pause(paused: boolean): void {
    this.#process?.kill(paused ? "SIGSTOP" : "SIGCONT");
  }

  #run(file: string, args: readonly string[], options: { input?: string; encoding: "utf8" }): string {
    const [command, ...rest] = [...this.#wrap, file, ...args] as [string, ...string[]];
    return execFileSync(command, rest, { ...options, stdio: ["pipe", "pipe", "pipe"] });
  }

  async #launch(): Promise<void> {
    const tls = this.caCert !== undefined;
    const [command, ...prefix] = [...this.#wrap, "redis-server"] as string[] as [string, ...string[]];
    const child = spawn(
      command,
      [
        ...prefix,
        ...(tls ? [] : ["--port", String(this.port)]),
        "--bind",
        ...(this.host === "127.0.0.1" ? ["127.0.0.1"] : [this.host, "127.0.0.1"]),
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
    while (!(await (this.#wrap.length > 0 ? this.#answersCli() : accepts(this.port, tls ? this.caCert : undefined)))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${this.port} within 10 s`);
      await sleep(20);
    }
  }

  /** For a server in a namespace: whether `redis-cli ping` there gets an answer. */
  async #answersCli(): Promise<boolean> {
    try {
      return /PONG|NOAUTH/.test(
        this.#run("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), "ping"], { encoding: "utf8" }),
      );
    } catch {
      return false;
    }
  }

  #password(): string | undefined {
    const at = this.#extraArgs.indexOf("--requirepass");
    return at >= 0 ? this.#extraArgs[at + 1] : undefined;
  }
}

/** Does something accept a connection on the port (over TLS when given the CA) and answer `PING`? */
async function accepts(port: number, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = ca === undefined ? new Socket() : tlsConnect({ host: "127.0.0.1", port, ca });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    if (ca === undefined) socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    else socket.once("secureConnect", () => socket.write("PING\r\n"));
  });
}

/** A CA and a server certificate for 127.0.0.1 it signed, in `dir` (test-only, valid one day). */
async function makeCertificates(dir: string): Promise<void> {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "1",
    "-subj",
    "/CN=modelpool-test-ca",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=127.0.0.1",
  );
  await writeFile(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "1",
    "-extfile",
    "san.ext",
  );
}
