import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

test.each([
  ["ls", "modelpool ls [--registry <path>] [--json]"],
  ["stats", "modelpool stats [--registry <path>] [--json]"],
  ["prune", "modelpool prune [--stop] [--all-idle] [--registry <path>] [--json]"],
  ["migrate", "modelpool migrate [--from <file>]... [--registry <path>] [--json]"],
  [
    "explain",
    "modelpool explain <workerId> <model> [--policy <module>]... [--policy-options <file>] [--attr <key=value>]... [--model-policy dynamic|sticky]",
  ],
])("modelpool %s --help prints that command's usage, not the global help", async (command, usage) => {
  const viaFlag = await run(command, "--help");
  const viaHelp = await run("help", command);

  expect(viaFlag.code).toBe(0);
  expect(viaFlag.out).toMatch(new RegExp(`^modelpool ${command} — `));
  expect(viaFlag.out).toContain(`Usage: ${usage}`);
  expect(viaFlag.out).not.toContain("Commands:");
  expect(viaHelp.out).toBe(viaFlag.out);
});

test("explain's help documents its own options and how .ts policies load", async () => {
  const { out } = await run("explain", "-h");
  expect(out).toMatch(/--policy <module>\s+a policy to judge with/);
  expect(out).toMatch(/--model-policy dynamic\|sticky/);
  expect(out).toContain("loaded through tsx");
});

test("the global help lists every command, the exit-code table and the default registry with its fallback", async () => {
  const { code, out } = await run("--help");

  expect(code).toBe(0);
  for (const command of ["ls", "stats", "prune", "explain"])
    expect(out).toMatch(new RegExp(`^  ${command}\\s+\\S`, "m"));
  expect(out).toContain("Exit codes:\n  0  done\n  1  the registry could not be used");
  expect(out).toMatch(/^ {2}2 {2}usage error/m);
  expect(out).toContain("$MODELPOOL_REGISTRY, else $XDG_STATE_HOME/modelpool/registry\n");
  expect(out).toContain("~/.local/state/modelpool/registry)");
});

test("no command prints the global help and exits 2; an unknown help topic is a usage error", async () => {
  expect(await run()).toMatchObject({ code: 2, out: expect.stringContaining("Commands:") });
  expect(await run("help", "frobnicate")).toMatchObject({ code: 2, err: expect.stringContaining('"frobnicate"') });
});

test("--version prints the package's version, before or after a command", async () => {
  const manifest = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

  expect(await run("--version")).toEqual({ code: 0, out: manifest.version, err: "" });
  expect((await run("ls", "--version")).out).toBe(manifest.version);
  expect(JSON.parse((await run("--version", "--json")).out)).toEqual({ version: manifest.version });
});
