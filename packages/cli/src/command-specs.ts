import { DeviceRegistry, type ModelPolicy, ModelPolicySchema, type RegistryStore } from "@modelpool/core";
import {
  type CommandOutput,
  explainDecision,
  listWorkers,
  migrateLegacy,
  pruneRegistry,
  registryStats,
} from "./commands.js";
import { parseAttributes } from "./parse-attributes.js";
import { policyRequests } from "./policy-requests.js";
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
  /** Whether the command may run on a registry that does not exist yet (it creates one); else that is an error. */
  readonly createsRegistry?: boolean;
  run(
    registry: RegistryStore,
    positionals: readonly string[],
    values: ParsedValues,
    io: CommandIo,
  ): Promise<CommandOutput>;
};

/** What a command may say while it runs, before its result: `say` prints at once (nothing under --json). */
export type CommandIo = { readonly json: boolean; say(text: string): void };

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
    summary: "remove dead, recycled and stopped records, saying why; with --stop, also stop left-over workers",
    positionals: [],
    options: {
      stop: {
        type: "boolean",
        description:
          "also stop this host's workers whose owner is gone, that no process holds a lease on, and that are idle past their TTL (idleTtlMs) or draining (their stop was asked for while a lease held them), and starts abandoned by a crashed spawner",
      },
      "all-idle": {
        type: "boolean",
        description:
          "with --stop: also stop such workers that have no TTL or are not yet past it (kept warm otherwise)",
      },
    },
    details: `Without --stop, prune signals no process. A worker left running for the next session (its owner closed
its pool and exited) is kept warm by --stop until it has been idle past its TTL; --all-idle stops it anyway.
A worker a live process holds a lease on is never stopped. prune --stop prints what it will stop before
stopping it, then each stopped worker with why; a process that is not provably the recorded one is never
signalled.`,
    run: (registry, _positionals, values, io) => {
      if (values["all-idle"] === true && values.stop !== true) {
        throw new UsageError("--all-idle goes with --stop (it widens what --stop stops)", "prune");
      }
      return pruneRegistry(registry, { stop: values.stop === true, allIdle: values["all-idle"] === true, io });
    },
  },
  {
    name: "migrate",
    summary: "copy the workers of single-file registries (version 1 or 2) into the registry directory",
    positionals: [],
    options: {
      from: {
        type: "string",
        multiple: true,
        value: "<file>",
        description:
          "a single-file registry (version 1 or 2) to copy from, left as it is; repeatable (default: see Registry)",
      },
    },
    createsRegistry: true,
    details: `Copies from the files --from names (default: the standard paths, see Registry below). The files are read and left byte-identical. Records already in the directory, and unreadable entries,
are skipped and listed.`,
    run: (registry) => {
      if (!(registry instanceof DeviceRegistry)) {
        throw new UsageError(`migrate copies into a registry directory; ${registry.location} is not one`, "migrate");
      }
      return migrateLegacy(registry);
    },
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
          "a policy to judge with, repeatable: exact, family, a package installed where you run modelpool, or a .js/.ts file; name='{json}' passes options",
      },
      "policy-options": {
        type: "string",
        value: "<file>",
        description: 'a JSON file of options per policy, keyed as --policy names it: {"family": {"range": "~"}}',
      },
      attr: {
        type: "string",
        multiple: true,
        value: "<key=value>",
        description: "a fingerprint attribute of the request, repeatable (typed: see below)",
      },
      "model-policy": { type: "string", value: "dynamic|sticky", description: "the requested modelPolicy" },
    },
    details: `With no --policy, nothing is ever reused (that is the pool's rule too).
A policy module's default export, or else its exported classes with apply(pool), are the plugins; a class
is constructed with the options given for it (--policy family='{"range":"~"}' or --policy-options), else
with none. A path is a file with or without ./ (--policy policies/mine.ts). Loading a module runs it, as
any import does: a module that exports nothing (a script) is refused unloaded, and the plugins are found
before any is constructed, but top-level code of a module you name does run.
A .ts module is loaded through tsx when tsx is installed where you run modelpool (npm install -D tsx);
Bun loads it by itself.
--attr ctx=8192 --attr fast=true --attr tier=gold: attributes as the worker was started with them. A value
that reads as a JSON number is a number, true and false are booleans, a value in double quotes is the
string inside them (--attr 'ctx="8192"'), anything else is a string as written.`,
    run: async (registry, [workerId, model], values) =>
      explainDecision(registry, {
        workerId: workerId as string,
        model: model as string,
        modelPolicy: modelPolicyOf(values),
        attributes: parseAttributes((values.attr as string[] | undefined) ?? []),
        policies: await policyRequests(
          (values.policy as string[] | undefined) ?? [],
          values["policy-options"] as string | undefined,
        ),
      }),
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
