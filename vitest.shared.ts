import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Every test file ends with none of its processes running (see the setup file). */
const setupFiles = [source("./packages/test-utils/src/no-leftover-processes-setup.ts")];

/** Tests import the packages by name, as users do, and get their sources (no build needed to test). */
export const workspaceAliases = {
  "@modelpool/core": source("./packages/core/src/index.ts"),
  "@modelpool/policy-exact": source("./packages/policy-exact/src/index.ts"),
  "@modelpool/policy-family": source("./packages/policy-family/src/index.ts"),
  "@modelpool/backend-opencode": source("./packages/backend-opencode/src/index.ts"),
  "@modelpool/cli": source("./packages/cli/src/index.ts"),
  "@modelpool/registry-redis": source("./packages/registry-redis/src/index.ts"),
  "@modelpool/otel": source("./packages/otel/src/index.ts"),
  "@modelpool/testing": source("./packages/testing/src/index.ts"),
};

/**
 * Safety races: `*.race.test.ts`, each run `MODELPOOL_RACE_RUNS` times. `npm test` runs them a few times
 * each (their default); `npm run test:hostile` runs only them, 20 times each, in a hostile world
 * (vitest.hostile.config.ts).
 */
export const RACES = "test/**/*.race.test.ts";

/** One package's test project: real child processes and files, so timeouts leave slow CI machines room. */
export function packageProject(name: string, extra: { typecheck?: boolean } = {}) {
  return defineProject({
    resolve: { alias: workspaceAliases },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      setupFiles,
      // End-to-end suites drive real third-party servers: they run in `npm run test:e2e` only.
      exclude: ["**/*.e2e.test.ts", "**/node_modules/**"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...(extra.typecheck
        ? {
            typecheck: {
              enabled: true,
              include: ["src/**/*.test-d.ts", "test/**/*.test-d.ts"],
              tsconfig: "./tsconfig.test.json",
            },
          }
        : {}),
    },
  });
}

/**
 * One package's races for the hostile suite: only `*.race.test.ts`, with room for a machine at 4x its
 * cores in load (a race's own runs carry their own timeouts; see test-utils' `raceTest`).
 */
export function raceProject(dir: string, name: string) {
  return defineProject({
    resolve: { alias: workspaceAliases },
    test: {
      name: `${name} (hostile)`,
      root: source(`./${dir}`),
      include: [RACES],
      setupFiles,
      exclude: ["**/node_modules/**"],
      testTimeout: 600_000,
      hookTimeout: 120_000,
    },
  });
}
