import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

test("a command's help shows only its own options and points at the top-level help for the shared ones", async () => {
  const { out } = await run("ls", "--help");
  expect(out).not.toContain("Exit codes:");
  expect(out).not.toContain("Registry:\n");
  expect(out).not.toMatch(/--from <file>/);
  expect(out).toContain('shared options, the registry and exit codes: "modelpool --help"');
});

test("the top-level help prints the shared blocks once", async () => {
  const { out } = await run("--help");
  expect(out.match(/Exit codes:/g)).toHaveLength(1);
  expect(out.match(/^Registry:/gm)).toHaveLength(1);
  expect(out.match(/^ +--registry <path>/gm)).toHaveLength(1);
});

test("migrate --help shows --from, the option it reads from", async () => {
  const { out } = await run("migrate", "--help");
  expect(out).toMatch(/--from <file>\s+\S/);
  expect(out).toContain("Usage: modelpool migrate [--from <file>]...");
});
