import { expect, test } from "vitest";
import { parseModelId } from "./parse-model-id.js";

// [id, provider, family, version, snapshot]
const table: Array<[string, string | undefined, string, string, string | undefined]> = [
  ["claude-sonnet-4-5", undefined, "claude-sonnet", "4.5.0", undefined],
  ["claude-sonnet-4.5", undefined, "claude-sonnet", "4.5.0", undefined],
  ["claude-3-5-sonnet-20241022", undefined, "claude-sonnet", "3.5.0", "20241022"],
  ["claude-opus-4-1-20250805", undefined, "claude-opus", "4.1.0", "20250805"],
  ["anthropic/claude-sonnet-4-5", "anthropic", "claude-sonnet", "4.5.0", undefined],
  ["gpt-5", undefined, "gpt", "5.0.0", undefined],
  ["gpt-5-mini", undefined, "gpt-mini", "5.0.0", undefined],
  ["openai/gpt-5-nano", "openai", "gpt-nano", "5.0.0", undefined],
  ["gpt-5.1", undefined, "gpt", "5.1.0", undefined],
  ["gpt-4o", undefined, "gpt-o", "4.0.0", undefined],
  ["gpt-4o-mini", undefined, "gpt-o-mini", "4.0.0", undefined],
  ["gpt-4o-2024-08-06", undefined, "gpt-o", "4.0.0", "2024-08-06"],
  ["gpt-4.1", undefined, "gpt", "4.1.0", undefined],
  ["o3-mini", undefined, "o-mini", "3.0.0", undefined],
  ["gemini-2.5-pro", undefined, "gemini-pro", "2.5.0", undefined],
  ["google/gemini-2.5-flash", "google", "gemini-flash", "2.5.0", undefined],
  ["llama-3.1-8b-instruct", undefined, "llama-8b-instruct", "3.1.0", undefined],
  ["llama3.1:8b", undefined, "llama-8b", "3.1.0", undefined],
  ["ollama/qwen2.5-coder:7b", "ollama", "qwen-coder-7b", "2.5.0", undefined],
  ["mistral-large-2411", undefined, "mistral-large", "0.0.0", "2411"],
  ["deepseek-v3.1", undefined, "deepseek-v", "3.1.0", undefined],
  ["deepseek-r1-0528", undefined, "deepseek-r", "1.0.0", "0528"],
  ["glm-4.6", undefined, "glm", "4.6.0", undefined],
  ["glm-4.6v", undefined, "glm-v", "4.6.0", undefined],
  ["zai/GLM-4.6", "zai", "glm", "4.6.0", undefined],
];

test.each(table)("%s → provider %s, family %s, version %s, snapshot %s", (id, provider, family, version, snapshot) => {
  expect(parseModelId(id)).toEqual({
    ...(provider ? { provider } : {}),
    family,
    version,
    ...(snapshot ? { snapshot } : {}),
    raw: id,
  });
});

test.each(["", "   ", "1234", "///", "::", "a\u0000b", "x".repeat(600)])("%j is not a model id", (id) => {
  expect(parseModelId(id)).toBeUndefined();
});
