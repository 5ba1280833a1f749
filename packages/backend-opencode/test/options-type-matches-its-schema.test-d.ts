import type { OpencodeBackendOptions, OpencodeBackendOptionsSchema } from "@modelpool/backend-opencode";
import { expectTypeOf, test } from "vitest";
import type { z } from "zod";

test("OpencodeBackendOptions is exactly what its schema accepts", () => {
  expectTypeOf<z.input<typeof OpencodeBackendOptionsSchema>>().toEqualTypeOf<OpencodeBackendOptions>();
});
