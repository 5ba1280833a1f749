import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

test("a mistyped command suggests the closest one", async () => {
  const { code, err } = await run("lss");
  expect(code).toBe(2);
  expect(err).toContain('unknown command "lss"; did you mean "ls"?');
});

test("a mistyped flag suggests the closest of that command's flags, without Node's parseArgs text", async () => {
  const { code, err } = await run("ls", "--jsn");
  expect(code).toBe(2);
  expect(err).toContain("unknown option --jsn for ls; did you mean --json?");
  expect(err).not.toContain("To specify a positional argument");
});

test("a flag of another command says which command takes it", async () => {
  const { code, err } = await run("ls", "--stop");
  expect(code).toBe(2);
  expect(err).toContain("--stop is an option of prune, not of ls");
});

test("a flag missing its value names the value it needs", async () => {
  const { code, err } = await run("ls", "--registry");
  expect(code).toBe(2);
  expect(err).toContain("--registry needs a value (<path>)");
  expect(err).not.toContain("argument missing");
});

test("a boolean flag given a value says it takes none", async () => {
  const { code, err } = await run("ls", "--json=yes");
  expect(code).toBe(2);
  expect(err).toContain("--json takes no value");
});
