import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The scripts tests run as processes of their own, bundled once for the run: each starts in a fifth
    // of the CPU that loading them through tsx takes (MODELPOOL_TSX_SCRIPTS=1 runs them through tsx).
    globalSetup: ["packages/test-utils/src/script-bundles-setup.ts"],
    projects: [
      "packages/core",
      "packages/policy-exact",
      "packages/policy-family",
      "packages/backend-opencode",
      "packages/cli",
      "packages/registry-redis",
      "packages/otel",
      "packages/testing",
      "examples",
    ],
  },
});
