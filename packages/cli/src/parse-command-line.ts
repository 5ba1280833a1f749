import { parseArgs } from "node:util";
import {
  COMMANDS,
  COMMON_OPTIONS,
  type CommandSpec,
  findCommand,
  type OptionSpec,
  type ParsedValues,
} from "./command-specs.js";
import { closest } from "./did-you-mean.js";
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

  const options = { ...COMMON_OPTIONS, ...command.options };
  checkOptions(command, options, rest);
  let parsed: { values: ParsedValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options,
    }) as { values: ParsedValues; positionals: string[] };
  } catch (error) {
    // checkOptions caught what it knows; Node's own message for anything else still names the flag.
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
  const names = COMMANDS.map((c) => c.name);
  const guess = closest(name, [...names, "help"]);
  return new UsageError(
    `unknown command ${JSON.stringify(name)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} (commands: ${names.join(", ")}, help)`,
  );
}

/**
 * Every flag before `--` checked against the command's options, in words a user can act on: the closest
 * flag for a typo, the command a flag belongs to, the value a flag needs (rather than parseArgs' text).
 */
function checkOptions(command: CommandSpec, options: Readonly<Record<string, OptionSpec>>, words: readonly string[]) {
  const shorts = new Map(
    Object.entries(options).flatMap(([name, option]) => (option.short ? [[option.short, name] as const] : [])),
  );
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === "--") return;
    if (!word.startsWith("-") || word === "-") continue;
    const [flag, inline] = splitFlag(word);
    const name = word.startsWith("--") ? flag.slice(2) : shorts.get(flag.slice(1));
    const option = name === undefined ? undefined : options[name];
    if (name === undefined || option === undefined) throw unknownOption(command, options, flag);
    if (option.type === "boolean" && inline !== undefined) {
      throw new UsageError(`${flag} takes no value; got ${JSON.stringify(word)}`, command.name);
    }
    if (option.type === "string" && inline === undefined) {
      const next = words[i + 1];
      if (next === undefined || next === "--" || (next.startsWith("-") && next !== "-")) {
        throw new UsageError(`${flag} needs a value (${option.value ?? "<value>"})`, command.name);
      }
      i++;
    }
  }
}

function splitFlag(word: string): [flag: string, inline: string | undefined] {
  const at = word.indexOf("=");
  return at === -1 || !word.startsWith("--") ? [word, undefined] : [word.slice(0, at), word.slice(at + 1)];
}

function unknownOption(command: CommandSpec, options: Readonly<Record<string, OptionSpec>>, flag: string): UsageError {
  const name = flag.replace(/^--?/, "");
  const owner = COMMANDS.find((other) => other !== command && Object.hasOwn(other.options, name));
  if (owner) return new UsageError(`${flag} is an option of ${owner.name}, not of ${command.name}`, command.name);
  const guess = flag.startsWith("--") ? closest(name, Object.keys(options)) : undefined;
  return new UsageError(
    `unknown option ${flag} for ${command.name}${guess ? `; did you mean --${guess}?` : ""}`,
    command.name,
  );
}
