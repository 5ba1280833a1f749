import { parseArgs } from "node:util";
import { isModelpoolError } from "../errors/ModelpoolError.js";
import { DeviceRegistry } from "../registry/DeviceRegistry.js";
import {
  type CommandOutput,
  explainDecision,
  listWorkers,
  migrateLegacy,
  pruneRegistry,
  registryStats,
  requirePositionals,
} from "./commands.js";
import { UsageError } from "./usage-error.js";

const HELP = `modelpool — inspect the device registry of model-aware worker reuse

Usage:
  modelpool ls                               list recorded workers (model, policy, status, liveness, leases, idle, age)
  modelpool stats                            what the registry tells: live/dead, leases, idle times, ages
  modelpool prune                            remove dead, recycled, stopped and failed records (signals nothing)
  modelpool migrate [--from <file>]...       copy workers of single-file registries (v1, v2) into the directory;
                                             the files are left as they are (default: the standard paths)
  modelpool explain <workerId> <model>       show, for each candidate, whether it would be reused and why
      [--policy <module>]...                 policies to judge with: exact, family, a package or a file
      [--model-policy dynamic|sticky]

Options:
  --registry <path>   registry directory (default: $MODELPOOL_REGISTRY, else $XDG_STATE_HOME/modelpool/registry,
                      else ~/.local/state/modelpool/registry); ls, stats and explain never create or change it
  --json              machine-readable output
  -h, --help          this help

Exit codes: 0 done, 1 the registry or a worker check failed, 2 bad arguments.`;

export async function main(
  argv: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    err(`modelpool: ${(error as Error).message}\nRun "modelpool --help" for usage.`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    out(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    const from = values.from;
    const registry = new DeviceRegistry({
      ...(values.registry !== undefined ? { path: values.registry } : {}),
      ...(from !== undefined ? { legacySources: from } : {}),
    });
    let output: CommandOutput;
    switch (command) {
      case "ls":
        requirePositionals(rest, [], "ls");
        output = await listWorkers(registry);
        break;
      case "stats":
        requirePositionals(rest, [], "stats");
        output = await registryStats(registry);
        break;
      case "prune":
        requirePositionals(rest, [], "prune");
        output = await pruneRegistry(registry);
        break;
      case "migrate":
        requirePositionals(rest, [], "migrate");
        output = await migrateLegacy(registry);
        break;
      case "explain": {
        const [workerId, model] = requirePositionals(rest, ["workerId", "model"], "explain") as [string, string];
        output = await explainDecision(registry, {
          workerId,
          model,
          modelPolicy: values["model-policy"],
          policies: values.policy ?? [],
        });
        break;
      }
      default:
        throw new UsageError(`unknown command "${command}" (expected ls, stats, prune, migrate or explain)`);
    }
    out(values.json ? JSON.stringify(output.json, null, 2) : output.text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`modelpool: ${error.message}\nRun "modelpool --help" for usage.`);
      return 2;
    }
    if (isModelpoolError(error)) {
      err(
        values.json
          ? JSON.stringify({ error: { name: error.name, code: error.code, message: error.message } })
          : `modelpool: ${error.message}`,
      );
      return error.code === "INVALID_REQUEST" || error.code === "INVALID_OPTIONS" ? 2 : 1;
    }
    throw error;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      registry: { type: "string" },
      json: { type: "boolean", default: false },
      policy: { type: "string", multiple: true },
      from: { type: "string", multiple: true },
      "model-policy": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}
