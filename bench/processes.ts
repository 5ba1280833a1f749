import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { processIdentityOf, terminateRecordedProcess } from "@modelpool/core";

/** Runs `count` copies of a bench script as OS processes that all start work at the same instant. */
export async function runTogether(
  script: string,
  argsFor: (n: number) => string[],
  count = 8,
): Promise<{ startAt: number; outputs: string[] }> {
  // Node + tsx start-up takes a while on 2 cores: schedule the common start well after it.
  const startAt = Date.now() + 3_000;
  const path = fileURLToPath(new URL(script, import.meta.url));
  const outputs = await Promise.all(
    Array.from({ length: count }, (_, n) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=@modelpool/source", path, ...argsFor(n)],
        {
          env: { ...process.env, START_AT: String(startAt) },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
      });
      return new Promise<string>((resolve, reject) =>
        child.once("exit", (code) =>
          code === 0 ? resolve(out.trim()) : reject(new Error(`${script} exited ${code}`)),
        ),
      );
    }),
  );
  return { startAt, outputs };
}

export async function countEntries(path: string): Promise<number> {
  try {
    const file = JSON.parse(await readFile(path, "utf8")) as { entries?: unknown[] };
    return Array.isArray(file.entries) ? file.entries.length : 0;
  } catch {
    return 0;
  }
}

export async function stopPids(pids: Iterable<number>): Promise<void> {
  await Promise.all(
    [...pids].map((pid) =>
      terminateRecordedProcess({ pid, pidStart: processIdentityOf(pid).start, startedAt: Date.now() }, 2_000),
    ),
  );
}
