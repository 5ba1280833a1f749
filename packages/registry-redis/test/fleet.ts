import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { startNodeScript } from "../../test-utils/src/node-script.js";

const HOST_SCRIPT = new URL("./fixtures/fleet-host.ts", import.meta.url);

/** A simulated host: an OS process with its own host id and loopback address, answering in JSON lines. */
export type FleetHost = {
  readonly child: ChildProcess;
  /** The next JSON line it prints (waits for it). */
  next<T = Record<string, unknown>>(): Promise<T>;
  send(line: string): void;
};

/** Host number `n` (1-based): host id `host-n`, address 127.0.0.(n+1). */
export function hostAddress(n: number): string {
  return `127.0.0.${n + 1}`;
}

export function startHost(spec: object, n: number, args: string[], env: Record<string, string> = {}): FleetHost {
  const child = startNodeScript(HOST_SCRIPT, [JSON.stringify(spec), `host-${n}`, hostAddress(n), ...args], env);
  let buffer = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    buffer += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return {
    child,
    send: (line) => child.stdin?.write(`${line}\n`),
    async next<T>() {
      for (;;) {
        const end = buffer.indexOf("\n");
        if (end >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          return JSON.parse(line) as T;
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`host-${n} exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
        }
        await sleep(10);
      }
    },
  };
}

/** SIGKILLs a host process, as a power cut or an OOM kill would end it, and waits until it is gone. */
export async function killHost(host: FleetHost): Promise<void> {
  if (host.child.exitCode !== null || host.child.signalCode !== null) return;
  const exited = new Promise((resolve) => host.child.once("exit", resolve));
  host.child.kill("SIGKILL");
  await exited;
}
