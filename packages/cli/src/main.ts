import { isModelpoolError } from "@modelpool/core";
import { exitCodeFor } from "./exit-code-for.js";
import { ExitCode } from "./exit-codes.js";
import { commandHelp, globalHelp } from "./help.js";
import { openRegistry } from "./open-registry.js";
import { parseCommandLine, wantsJson } from "./parse-command-line.js";
import { UsageError } from "./usage-error.js";
import { cliVersion } from "./version.js";

/**
 * Runs the `modelpool` command line and returns its exit code (see `ExitCode`). Output goes through
 * `out` (results, help) and `err` (errors), so tests and other tools can run it in-process.
 */
export async function main(
  argv: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const json = wantsJson(argv);
  try {
    const line = parseCommandLine(argv);
    switch (line.kind) {
      case "version":
        out(json ? JSON.stringify({ version: cliVersion() }) : cliVersion());
        return ExitCode.OK;
      case "help":
        out(line.command ? commandHelp(line.command) : globalHelp(cliVersion()));
        return line.exitCode;
      case "run": {
        const registry = await openRegistry(
          line.values.registry as string | undefined,
          line.values.from as string[] | undefined,
        );
        try {
          const output = await line.command.run(registry, line.positionals, line.values);
          out(json ? JSON.stringify(output.json, null, 2) : output.text);
          return output.exitCode ?? ExitCode.OK;
        } finally {
          await registry.close?.();
        }
      }
    }
  } catch (error) {
    err(describeFailure(error, json));
    return exitCodeFor(error);
  }
}

function describeFailure(error: unknown, json: boolean): string {
  const exitCode = exitCodeFor(error);
  const code = isModelpoolError(error) ? error.code : error instanceof UsageError ? "USAGE" : "UNEXPECTED";
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  if (json) return JSON.stringify({ error: { name, code, message, exitCode } });
  const hint =
    error instanceof UsageError
      ? `\nRun "modelpool ${error.command ? `${error.command} ` : ""}--help" for usage.`
      : exitCode === ExitCode.UNEXPECTED && error instanceof Error && error.stack
        ? `\n${error.stack}`
        : "";
  return `modelpool${error instanceof UsageError && error.command ? ` ${error.command}` : ""}: ${message}${hint}`;
}
