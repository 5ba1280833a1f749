import { isModelpoolError } from "@modelpool/core";
import { exitCodeFor } from "./exit-code-for.js";
import { ExitCode } from "./exit-codes.js";
import { commandHelp, globalHelp } from "./help.js";
import { MissingRegistryError } from "./missing-registry-error.js";
import { missingRegistry, openRegistry } from "./open-registry.js";
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
        const { registry, exists, notes } = await openRegistry(
          line.values.registry as string | undefined,
          line.values.from as string[] | undefined,
        );
        try {
          for (const note of notes) err(note);
          const io = { json, say: (text: string) => (json ? undefined : out(text)) };
          // Run first, so a wrong argument is reported as such; on a path that does not exist, commands
          // read nothing and change nothing.
          const output = await line.command.run(registry, line.positionals, line.values, io);
          // Reading a path that does not exist lists nothing, as an empty registry does: say so instead.
          // A script asking for JSON gets the empty answer, marked `exists: false`.
          if (!exists && !json && !line.command.createsRegistry) throw missingRegistry(registry.location);
          const answer =
            exists || typeof output.json !== "object" || output.json === null
              ? output.json
              : { ...output.json, exists: false };
          out(json ? JSON.stringify(answer, null, 2) : output.text);
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
  const code = isModelpoolError(error)
    ? error.code
    : error instanceof UsageError
      ? "USAGE"
      : error instanceof MissingRegistryError
        ? error.code
        : "UNEXPECTED";
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
