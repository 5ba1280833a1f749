import { defaultRegistryPath } from "@modelpool/core";
import { COMMANDS, COMMON_OPTIONS, type CommandSpec, type OptionSpec } from "./command-specs.js";
import { EXIT_CODE_HELP } from "./exit-codes.js";

function registryHelp(): string {
  return `Registry:
  a directory: --registry <path>, else $MODELPOOL_REGISTRY, else $XDG_STATE_HOME/modelpool/registry
  (when XDG_STATE_HOME is unset or not absolute: ~/.local/state/modelpool/registry).
  The default registry also reads, never writes, the single-file registries of modelpool 0.1
  ($XDG_STATE_HOME/modelpool/registry.json) and of the orchestrator
  ($XDG_CONFIG_HOME/opencode/orchestrator-device-registry.json). ls, stats and explain change nothing.
  Here that is ${defaultRegistryPath()}`;
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ""}--${name}${option.value ? ` ${option.value}` : ""}`;
    return [flag, option.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}

function synopsis(command: CommandSpec): string {
  const args = command.positionals.map((p) => `<${p.name}>`);
  // The shared options every command takes, once at the end; --from is shown where it is the command's own.
  const options = Object.entries(command.options).map(
    ([name, option]) => `[--${name}${option.value ? ` ${option.value}` : ""}]${option.multiple ? "..." : ""}`,
  );
  return ["modelpool", command.name, ...args, ...options, "[--registry <path>] [--json]"].join(" ");
}

export function globalHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `modelpool ${version} — inspect the registry of model-aware worker reuse

Usage: modelpool <command> [arguments] [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run "modelpool <command> --help" for a command's arguments and options.

Options:
${optionLines({
  ...COMMON_OPTIONS,
  help: { type: "boolean", short: "h", description: "this help; after a command, that command's help" },
  version: { type: "boolean", description: "print the version" },
}).join("\n")}

${registryHelp()}

${EXIT_CODE_HELP}`;
}

/** One command's help: its own arguments and options; the shared blocks are the top-level help's. */
export function commandHelp(command: CommandSpec): string {
  const width = Math.max(0, ...command.positionals.map((p) => p.name.length + 2));
  const args = command.positionals.map((p) => `  ${`<${p.name}>`.padEnd(width)}  ${p.description}`);
  return [
    `modelpool ${command.name} — ${command.summary}`,
    "",
    `Usage: ${synopsis(command)}`,
    ...(args.length ? ["", "Arguments:", ...args] : []),
    "",
    "Options:",
    ...optionLines({ ...command.options, help: { type: "boolean", short: "h", description: "this help" } }),
    ...(command.details ? ["", command.details] : []),
    "",
    '--registry, --from and --json work with every command; shared options, the registry and exit codes: "modelpool --help".',
  ].join("\n");
}
