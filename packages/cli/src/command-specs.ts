import { type DeviceRegistry, type ModelPolicy, ModelPolicySchema } from "@modelpool/core";
import {
  type CommandOutput,
  explainDecision,
  listWorkers,
  migrateLegacy,
  pruneRegistry,
  registryStats,
} from "./commands.js";
import { UsageError } from "./usage-error.js";

/** One option of one command, as `node:util` parseArgs takes it, plus what the help says about it. */
export type OptionSpec = {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value's placeholder in the help, e.g. `<path>`. */
  readonly value?: string;
  readonly description: string;
};

export type ParsedValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** What the command line says about one command: its name, arguments, options, and what it runs. */
export type CommandSpec = {
  readonly name: string;
  readonly summary: string;
  readonly positionals: readonly { readonly name: string; readonly description: string }[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** More lines for this command's --help. */
  readonly details?: string;
  run(registry: DeviceRegistry, positionals: readonly string[], values: ParsedValues): Promise<CommandOutput>;
};

/** Options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  registry: { type: "string", value: "<path>", description: "the registry to read (default: see Registry below)" },
  from: {
    type: "string",
    multiple: true,
    value: "<file>",
    description:
      "a single-file registry (version 1 or 2) to read too, never written; repeatable (default: see Registry)",
  },
  json: { type: "boolean", description: "machine-readable output on stdout (errors as JSON on stderr)" },
  help: { type: "boolean", short: "h", description: "this command's help" },
};

/** `--model-policy` names the fingerprint field it sets and its allowed values when it is wrong. */
function modelPolicyOf(values: ParsedValues): ModelPolicy | undefined {
  const given = values["model-policy"];
  if (given === undefined) return undefined;
  const parsed = ModelPolicySchema.safeParse(given);
  if (!parsed.success) {
    throw new UsageError(
      `--model-policy sets the fingerprint's modelPolicy field, which must be one of ${ModelPolicySchema.options.join(", ")}; got ${JSON.stringify(given)}`,
      "explain",
    );
  }
  return parsed.data;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "ls",
    summary: "list recorded workers: workerId, model, policy, status, pid, alive, leases, idle, url, age",
    positionals: [],
    options: {},
    run: (registry) => listWorkers(registry),
  },
  {
    name: "stats",
    summary: "what the registry tells: live and dead workers, leases held, idle times, ages, draining workers",
    positionals: [],
    options: {},
    run: (registry) => registryStats(registry),
  },
  {
    name: "prune",
    summary: "remove dead, recycled and stopped records, saying why; with --stop, also stop abandoned workers",
    positionals: [],
    options: {
      stop: {
        type: "boolean",
        description:
          "also stop this host's workers whose owner is gone and that no process holds a lease on, including starts abandoned by a crashed spawner",
      },
    },
    details: `Without --stop, prune signals no process. With --stop, each stopped worker is printed with why; a process
that is not provably the recorded one is never signalled.`,
    run: (registry, _positionals, values) => pruneRegistry(registry, { stop: values.stop === true }),
  },
  {
    name: "migrate",
    summary: "copy the workers of single-file registries (version 1 or 2) into the registry directory",
    positionals: [],
    options: {},
    details: `Copies from the files --from names (default: the standard paths, see Registry below). The files are read and left byte-identical. Records already in the directory, and unreadable entries,
are skipped and listed.`,
    run: (registry) => migrateLegacy(registry),
  },
  {
    name: "explain",
    summary: "show, for each candidate, whether it would be reused and why (a dry run: spawns nothing)",
    positionals: [
      { name: "workerId", description: "the role asked for, e.g. docs or coder" },
      { name: "model", description: "the model requested, e.g. openai/gpt-5-mini" },
    ],
    options: {
      policy: {
        type: "string",
        multiple: true,
        value: "<module>",
        description:
          "a policy to judge with, repeatable: exact, family, a package installed where you run modelpool, or a .js/.ts file",
      },
      "model-policy": { type: "string", value: "dynamic|sticky", description: "the requested modelPolicy" },
    },
    details: `With no --policy, nothing is ever reused (that is the pool's rule too).
A policy module's default export, or else its exported classes with apply(pool), are the plugins.
A .ts module is loaded through tsx when tsx is installed where you run modelpool (npm install -D tsx).`,
    run: (registry, [workerId, model], values) =>
      explainDecision(registry, {
        workerId: workerId as string,
        model: model as string,
        modelPolicy: modelPolicyOf(values),
        policies: (values.policy as string[] | undefined) ?? [],
      }),
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
