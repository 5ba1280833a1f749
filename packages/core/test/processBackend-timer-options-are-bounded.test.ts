import { InvalidOptionsError, processBackend } from "@modelpool/core";
import { expect, test } from "vitest";

const base = { command: process.execPath, ready: { stdout: /ready/ } };

for (const name of ["timeoutMs", "stopGraceMs"] as const) {
  test(`processBackend({ ${name}: 3e9 }) is refused with InvalidOptionsError naming ${name}: a timer that long fires at once`, () => {
    let thrown: unknown;
    try {
      processBackend({ ...base, [name]: 3e9 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionsError);
    expect(String((thrown as Error).message)).toContain(name);
  });
}

test("processBackend takes the longest timer Node honours", () => {
  expect(() => processBackend({ ...base, timeoutMs: 2_147_483_647, stopGraceMs: 2_147_483_647 })).not.toThrow();
});
