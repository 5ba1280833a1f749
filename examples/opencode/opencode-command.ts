import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The `opencode` executable shipped by the pinned `opencode-ai` package (no download at run time). */
export function opencodeCommand(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("opencode-ai/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: Record<string, string> };
  const bin = manifest.bin.opencode;
  if (!bin) throw new Error("opencode-ai declares no opencode bin");
  return join(dirname(manifestPath), bin);
}
