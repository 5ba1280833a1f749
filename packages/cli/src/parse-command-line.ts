import { parseArgs } from "node:util";
import { COMMANDS, COMMON_OPTIONS, type CommandSpec, findCommand, type ParsedValues } from "./command-specs.js";
import { UsageError } from "./usage-error.js";

/** What the command line asks for: help, the version, or one command with its checked arguments. */
export type CommandLine =
  | { readonly kind: "help"; readonly command: CommandSpec | undefined; readonly exitCode: 0 | 2 }
  | { readonly kind: "version" }
  | {
      readonly kind: "run";
      readonly command: CommandSpec;
      readonly positionals: readonly string[];
      readonly values: ParsedValues;
    };

/** String options of any command: their value is the next word, which is not the command's name. */
const STRING_OPTIONS = new Set(
  [COMMON_OPTIONS, ...COMMANDS.map((c) => c.options)].flatMap((options) =>
    Object.entries(options)
      .filter(([, option]) => option.type === "string")
      .map(([name]) => `--${name}`),
  ),
);

/** Where the command's name is: the first word that is neither an option nor an option's value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === "--") return -1;
    if (!word.startsWith("-")) return i;
    if (STRING_OPTIONS.has(word)) i++;
  }
  return -1;
}

/** Whether the caller asked for JSON: decided before parsing, so even a usage error can answer in JSON. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const at = commandIndex(argv);
  const rest = at === -1 ? [...argv] : [...argv.slice(0, at), ...argv.slice(at + 1)];
  const name = at === -1 ? undefined : argv[at];
  if (name === "help") {
    const topic = rest.find((word) => !word.startsWith("-"));
    const command = topic === undefined ? undefined : findCommand(topic);
    if (topic !== undefined && command === undefined) throw unknownCommand(topic);
    return { kind: "help", command, exitCode: 0 };
  }
  if (rest.includes("--version") || rest.includes("-V")) return { kind: "version" };
  if (name === undefined) {
    const asked = rest.includes("--help") || rest.includes("-h");
    if (!asked && rest.length > 0) {
      throw new UsageError(`no command given before ${rest.map((word) => JSON.stringify(word)).join(" ")}`);
    }
    return { kind: "help", command: undefined, exitCode: asked ? 0 : 2 };
  }
  const command = findCommand(name);
  if (command === undefined) throw unknownCommand(name);

  let parsed: { values: ParsedValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...command.options },
    }) as { values: ParsedValues; positionals: string[] };
  } catch (error) {
    // Node's own messages name the flag ("Unknown option '--colour'", "Option '--registry <value>' argument missing").
    throw new UsageError((error as Error).message, command.name);
  }
  if (parsed.values.help) return { kind: "help", command, exitCode: 0 };
  checkPositionals(command, parsed.positionals);
  return { kind: "run", command, positionals: parsed.positionals, values: parsed.values };
}

function checkPositionals(command: CommandSpec, given: readonly string[]): void {
  const expected = command.positionals.map((p) => `<${p.name}>`);
  const takes = expected.length ? `takes ${expected.join(" ")}` : "takes no arguments";
  if (given.length > expected.length) {
    const extra = given.slice(expected.length).map((word) => JSON.stringify(word));
    throw new UsageError(`${command.name} ${takes}; unexpected ${extra.join(" ")}`, command.name);
  }
  if (given.length < expected.length) {
    throw new UsageError(`${command.name} ${takes}; missing ${expected.slice(given.length).join(" ")}`, command.name);
  }
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `unknown command ${JSON.stringify(name)} (expected ${COMMANDS.map((c) => c.name).join(", ")} or help)`,
  );
}
