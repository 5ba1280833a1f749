import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A host process that takes one JSON command per line on stdin and answers each with one JSON line on
 * stdout (in order). `ask` sends a command and waits for its answer, or rejects when the host died.
 */
export class LineHost {
  readonly child: ChildProcess;
  readonly label: string;
  #buffer = "";
  #stderr = "";
  #queue: Promise<unknown> = Promise.resolve();

  constructor(child: ChildProcess, label: string) {
    this.child = child;
    this.label = label;
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      this.#buffer += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      this.#stderr = (this.#stderr + String(chunk)).slice(-8192);
    });
    child.stdin?.on("error", () => {}); // a killed host's closed pipe
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Sends `command` and resolves to the host's answer to it (commands are answered in order). */
  ask<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T> {
    const answer = this.#queue.then(async () => {
      this.child.stdin?.write(`${JSON.stringify(command)}\n`);
      return this.#nextLine<T>();
    });
    this.#queue = answer.catch(() => {});
    return answer;
  }

  /** The next line the host prints, as JSON (waits for it). */
  async #nextLine<T>(): Promise<T> {
    for (;;) {
      const end = this.#buffer.indexOf("\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 1);
        if (line.startsWith("{")) return JSON.parse(line) as T;
        continue;
      }
      if (this.exited) {
        throw new Error(`${this.label} exited (${this.child.exitCode ?? this.child.signalCode}): ${this.#stderr}`);
      }
      await sleep(10);
    }
  }

  /** SIGKILLs the host (with the harness, its whole pid namespace) and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await gone;
  }
}
