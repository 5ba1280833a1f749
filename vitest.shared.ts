import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

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

/** One package's test project: real child processes and files, so timeouts leave slow CI machines room. */
export function packageProject(name: string, extra: { typecheck?: boolean } = {}) {
  return defineProject({
    resolve: { alias: workspaceAliases },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
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
