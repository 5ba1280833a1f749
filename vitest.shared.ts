import { fileURLToPath } from "node:url";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Tests import the packages by name, as users do, and get their sources (no build needed to test). */
export const workspaceAliases = {
  "@modelpool/core": source("./packages/core/src/index.ts"),
  "@modelpool/policy-exact": source("./packages/policy-exact/src/index.ts"),
  "@modelpool/policy-family": source("./packages/policy-family/src/index.ts"),
};
