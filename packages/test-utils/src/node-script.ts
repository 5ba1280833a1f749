import { type ChildProcess, spawn } from "node:child_process";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/** Runs a TypeScript script in its own Node process, resolving @modelpool/* to their sources. */
export function startNodeScript(script: URL, args: string[] = [], env: Record<string, string> = {}): ChildProcess {
  const path = fileURLToPath(script);
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@modelpool/source", path, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"], // stdin open: some scripts take commands on it
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

/** Runs a fixture script to completion and returns what it printed. Rejects on a non-zero exit. */
export async function runNodeScript(script: URL, args: string[] = [], env: Record<string, string> = {}) {
  const child = startNodeScript(script, args, env);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${path(script)} exited with ${code}\n${stderr}`);
  return { stdout, stderr };
}

const path = (script: URL) => basename(fileURLToPath(script));
