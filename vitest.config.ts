import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
