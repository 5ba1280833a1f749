import { expect, test } from "vitest";
import { escapeControl } from "./escape-control.js";

test("control characters, DEL, C1 and bidi overrides become visible escapes", () => {
  expect(escapeControl("a\u001b[2Jb")).toBe("a\\x1b[2Jb");
  expect(escapeControl("tab\there\nnew\u007f\u009b")).toBe("tab\\x09here\\x0anew\\x7f\\x9b");
  expect(escapeControl("gpt\u202e5")).toBe("gpt\\u202e5");
});

test("a backslash is doubled, so an escape is never confused with a name containing one", () => {
  expect(escapeControl("a\\x1b")).toBe("a\\\\x1b");
});

test("printable text, unicode included, is unchanged", () => {
  expect(escapeControl("openai/gpt-5-mini — ünïcödé 模型")).toBe("openai/gpt-5-mini — ünïcödé 模型");
});
