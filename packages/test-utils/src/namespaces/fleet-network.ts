import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { ip, NAMESPACE_PREFIX, removeLeftoverNamespaces } from "./leftovers.js";

/**
 * Separate "machines" for fleet tests, on this one: each host runs in its own network namespace (its own
 * address on a link the harness made) and its own pid namespace (its own pid 1, its own `/proc`, its own
 * hostname), as hosts of a real fleet do. Redis runs in a namespace of its own on the same network.
 *
 * The network: a bridge inside a private "hub" namespace; each host and Redis get a veth pair, one end in
 * their namespace with an address from 198.18.0.0/15 (reserved for benchmark networks, routed nowhere), the
 * other on the hub's bridge. Nothing is added to the machine's own namespace: traffic stays between the
 * harness's namespaces (and each namespace's own loopback). `close()` deletes every namespace (their links
 * go with them); it also runs when the process exits or is signalled, and the next run removes whatever a
 * killed run left (names start with `modelpool-fleet-<creator pid>`).
 *
 * Where namespaces cannot be made (no root, no `ip`), `FleetNetwork.create` says why; the caller falls back
 * to hosts in separate pid namespaces on loopback (`loopbackHosts`), or skips.
 */
export class FleetNetwork {
  /** `modelpool-fleet-<pid36>-<tag>`: the start of every namespace name of this network. */
  readonly name: string;
  /** The address Redis listens on (in its namespace). */
  readonly redisAddress = "198.18.0.1";
  readonly redisNamespace: string;
  readonly #tag: string;
  readonly #hub: string;
  readonly #hosts: string[] = [];
  #closed = false;

  private constructor() {
    this.#tag = randomBytes(3).toString("hex");
    this.name = `${NAMESPACE_PREFIX}${process.pid.toString(36)}-${this.#tag}`;
    this.#hub = `${this.name}-hub`;
    this.redisNamespace = `${this.name}-redis`;
  }

  /** Why network namespaces cannot be made here, or undefined. */
  static unavailable(): string | undefined {
    try {
      execFileSync("ip", ["-V"], { stdio: "ignore" });
    } catch {
      return "`ip` (iproute2) is not installed";
    }
    if (process.getuid?.() !== 0) return "network namespaces need root";
    const probe = `${NAMESPACE_PREFIX}${process.pid.toString(36)}-probe${randomBytes(2).toString("hex")}`;
    try {
      ip("netns", "add", probe);
      ip("netns", "del", probe);
    } catch (error) {
      return `ip netns add failed: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
    }
    return pidNamespacesUnavailable();
  }

  /** A network with `hosts` host namespaces and one for Redis (leftovers of killed runs removed first). */
  static create(hosts: number): FleetNetwork {
    removeLeftoverNamespaces();
    const network = new FleetNetwork();
    live.add(network);
    try {
      ip("netns", "add", network.#hub);
      ip("-n", network.#hub, "link", "add", "br0", "type", "bridge");
      ip("-n", network.#hub, "link", "set", "br0", "up");
      network.#attach(network.redisNamespace, "r", network.redisAddress);
      for (let i = 1; i <= hosts; i++) {
        const ns = `${network.name}-h${i}`;
        network.#hosts.push(ns);
        network.#attach(ns, `h${i}`, network.hostAddress(i));
      }
    } catch (error) {
      network.close();
      throw error;
    }
    return network;
  }

  /** Host `n` (1-based): 198.18.0.(n + 10). */
  hostAddress(n: number): string {
    if (n < 1 || n > 240) throw new RangeError(`host ${n}: 1-240`);
    return `198.18.0.${n + 10}`;
  }

  /** The namespace of host `n`. */
  hostNamespace(n: number): string {
    const ns = this.#hosts[n - 1];
    if (!ns) throw new RangeError(`no host ${n}`);
    return ns;
  }

  /** Takes host `n`'s link down (a partition: nothing reaches it, it reaches nothing) or back up. */
  setLink(n: number, up: boolean): void {
    ip("-n", this.hostNamespace(n), "link", "set", this.#ifname(`h${n}`, "a"), up ? "up" : "down");
  }

  /** The command prefix that runs something in the Redis namespace (its network only). */
  redisCommand(): string[] {
    return ["ip", "netns", "exec", this.redisNamespace];
  }

  /**
   * Starts `argv` as host `n`: in its network namespace, in a new pid namespace (with its own `/proc`) and
   * UTS namespace (hostname `host-<n>`, so its default host id is its own). Killing the returned process
   * (any signal) kills the host's whole pid namespace: its pid 1 is SIGKILLed, and with it every process
   * the host started — as a machine that loses power.
   */
  startHost(n: number, argv: readonly string[], env: Record<string, string> = {}): ChildProcess {
    return spawnInPidNamespace(["ip", "netns", "exec", this.hostNamespace(n)], `host-${n}`, argv, env);
  }

  /** Deletes every namespace of this network (and with them every link). Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    live.delete(this);
    for (const ns of [...this.#hosts, this.redisNamespace, this.#hub]) {
      try {
        ip("netns", "del", ns);
      } catch {
        // never made, or already gone
      }
    }
  }

  /** A namespace with loopback up and a veth pair to the hub's bridge, `address`/24 on its end. */
  #attach(ns: string, role: string, address: string): void {
    ip("netns", "add", ns);
    ip("-n", ns, "link", "set", "lo", "up");
    const inside = this.#ifname(role, "a");
    const outside = this.#ifname(role, "b");
    ip("link", "add", inside, "netns", ns, "type", "veth", "peer", "name", outside, "netns", this.#hub);
    ip("-n", this.#hub, "link", "set", outside, "master", "br0", "up");
    ip("-n", ns, "addr", "add", `${address}/24`, "dev", inside);
    ip("-n", ns, "link", "set", inside, "up");
  }

  /** Interface names are at most 15 bytes: `mpf<tag><role><side>`. */
  #ifname(role: string, side: "a" | "b"): string {
    return `mpf${this.#tag}${role}${side}`;
  }
}

/** Why pid namespaces cannot be made here (`unshare`), or undefined. */
export function pidNamespacesUnavailable(): string | undefined {
  try {
    execFileSync("unshare", ["--pid", "--fork", "--mount-proc", "--uts", "true"], { stdio: "ignore" });
    return undefined;
  } catch (error) {
    return `unshare --pid --fork --mount-proc failed: ${String(error)}`;
  }
}

/**
 * Runs `argv` under `prefix` (a network namespace, or nothing) in new pid, mount (for `/proc`) and UTS
 * namespaces, as hostname `hostname`. The shell stays pid 1 of the namespace (so the host's own program is
 * an ordinary process there); `--kill-child` makes the namespace die with the returned process.
 */
export function spawnInPidNamespace(
  prefix: readonly string[],
  hostname: string,
  argv: readonly string[],
  env: Record<string, string> = {},
): ChildProcess {
  const script = 'hostname "$0" && "$@"; exit $?';
  const command = [
    ...prefix,
    "unshare",
    "--pid",
    "--fork",
    "--mount-proc",
    "--uts",
    "--kill-child=SIGKILL",
    "sh",
    "-c",
    script,
    hostname,
    ...argv,
  ];
  const [file, ...args] = command as [string, ...string[]];
  return spawn(file, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
}

/** Networks not yet closed: closed when the process exits or is signalled, whatever the tests did. */
const live = new Set<FleetNetwork>();
const closeAll = () => {
  for (const network of live) network.close();
};
process.once("exit", closeAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    closeAll();
    process.kill(process.pid, signal);
  });
}
