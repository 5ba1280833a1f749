import { fingerprint } from "@modelpool/testing";
import { expect, test } from "vitest";

test("fingerprint fills in modelPolicy and keeps attributes, as the pool resolves a request", () => {
  expect(fingerprint("openai/gpt-5-mini")).toEqual({ resolvedModel: "openai/gpt-5-mini", modelPolicy: "dynamic" });
  expect(fingerprint("m", { modelPolicy: "sticky", attributes: { ctx: 8192, fast: true } })).toEqual({
    resolvedModel: "m",
    modelPolicy: "sticky",
    attributes: { ctx: 8192, fast: true },
  });
});

test("an invalid fingerprint throws, naming the field", () => {
  expect(() => fingerprint("")).toThrow(/resolvedModel/);
});
