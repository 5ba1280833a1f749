import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { processIdentityOf, terminateRecordedProcess } from "@modelpool/core";

/**
 * Runs `count` copies of a bench script as OS processes that all start work at the same instant: each
 * says "ready" once its imports are done (see start-signal.ts), and all are told "go" together.
 */
export async function runTogether(
  script: string,
  argsFor: (n: number) => string[],
  count = 8,
): Promise<{ startAt: number; outputs: string[] }> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const children = Array.from({ length: count }, (_, n) =>
    spawn(process.execPath, ["--import", "tsx", "--conditions=@modelpool/source", path, ...argsFor(n)], {
      stdio: ["pipe", "pipe", "inherit"],
    }),
  );
  let ready = 0;
  let startAt = 0;
  const allReady = new Promise<void>((resolve) => {
    for (const child of children) {
      let seen = false;
      child.stdout.on("data", (chunk: Buffer) => {
        if (!seen && chunk.toString().includes("ready")) {
          seen = true;
          if (++ready === count) resolve();
        }
      });
    }
  });
  const outputs = Promise.all(
    children.map((child) => {
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
      });
      return new Promise<string>((resolve, reject) =>
        child.once("exit", (code) =>
          code === 0 ? resolve(out.replace(/^ready\n/, "").trim()) : reject(new Error(`${script} exited ${code}`)),
        ),
      );
    }),
  );
  await Promise.race([allReady, outputs]);
  startAt = Date.now();
  for (const child of children) child.stdin.end("go\n");
  return { startAt, outputs: await outputs };
}

export async function stopPids(pids: Iterable<number>): Promise<void> {
  await Promise.all(
    [...pids].map((pid) =>
      terminateRecordedProcess({ pid, pidStart: processIdentityOf(pid).start, startedAt: Date.now() }, 2_000),
    ),
  );
}
