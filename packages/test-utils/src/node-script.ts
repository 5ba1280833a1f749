import { type ChildProcess, spawn } from "node:child_process";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";
import { joinHostileWorld, participantCommand } from "./hostile/participants.js";
import { bundledScript } from "./script-bundles.js";

/**
 * Runs a TypeScript script in its own Node process, resolving @modelpool/* to their sources. Under
 * `npm run test:hostile` the process is a participant of the hostile world (its registry writes delayed,
 * paused at random: see `hostile/participants.ts`); its pid is the script's own all the same.
 */
export function startNodeScript(
  script: URL,
  args: string[] = [],
  env: Record<string, string> = {},
  options: {
    /**
     * Whether the hostile world's pauser may SIGSTOP and resume it at random (default true). Off for a
     * process whose own pause is what the race is about: a random SIGCONT would end it early.
     */
    pausedAtRandom?: boolean;
  } = {},
): ChildProcess {
  const path = fileURLToPath(script);
  // Its bundle for this test run when there is one (a fifth of the CPU to start), else through tsx.
  const bundle = bundledScript(path);
  const node = bundle ? [bundle, ...args] : ["--import", "tsx", "--conditions=@modelpool/source", path, ...args];
  const { command, args: argv } = participantCommand(process.execPath, node);
  const child = spawn(command, argv, {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"], // stdin open: some scripts take commands on it
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  if (options.pausedAtRandom !== false) joinHostileWorld(child);
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
