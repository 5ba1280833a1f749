import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { WorkerPoolOptionsSchema } from "../pool/options.js";
import { REJECT } from "./hand-check.js";
import { HAND_CHECKS } from "./hand-checks.js";
import { HolderFileSchema } from "./holder-file.js";
import { PARSE_CONTEXT, safeParse } from "./parse-or-throw.js";
import { WorkerRequestSchema } from "./request.js";
import { ClaimFailureSchema, SpawnClaimSchema } from "./spawn-claim.js";
import { LeaseHolderSchema, WorkerRecordSchema } from "./worker-record.js";

// Each hand-written check against its zod schema, on many valid and hostile values: where the check is
// sure, zod must agree — the same output, keys in the same order, for a value it accepts; a failure for
// one it refuses — and `safeParse` must answer exactly as zod does, issues included.

type Zod = { safeParse(value: unknown, context: object): { success: boolean; data?: unknown; error?: unknown } };

/** Keys in order, all the way down: toStrictEqual does not look at order, and files are written in it. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value !== "object" || value === null) return value;
  return Object.keys(value).map((key) => [key, shape((value as Record<string, unknown>)[key])]);
}

type Tally = { accepted: number; rejected: number; asked: number };

function agree(schema: Zod, value: unknown, tally: Tally): void {
  const check = HAND_CHECKS.get(schema);
  if (!check) throw new Error("no hand check for this schema");
  const checked = check(value);
  const zod = schema.safeParse(value, PARSE_CONTEXT);
  if (checked === undefined) tally.asked++;
  else if (checked === REJECT) {
    tally.rejected++;
    expect(zod.success, "the check refused a value zod accepts").toBe(false);
  } else {
    tally.accepted++;
    expect(zod.success, "the check accepted a value zod refuses").toBe(true);
    expect(checked).toStrictEqual(zod.data);
    expect(shape(checked)).toStrictEqual(shape(zod.data));
    expect(checked).not.toBe(value);
  }
  const answered = safeParse(schema, value) as typeof zod;
  expect(answered.success).toBe(zod.success);
  if (zod.success) expect(answered.data).toStrictEqual(zod.data);
  else expect((answered.error as { issues: unknown }).issues).toStrictEqual((zod.error as { issues: unknown }).issues);
}

// ---- values near every limit the schemas set ----------------------------------------------------

const ASTRAL = "\u{1F600}";
/** Strings around a length limit, in UTF-16 units and in code points (zod counts the latter), lone surrogates too. */
const text = (max: number) =>
  fc.oneof(
    { weight: 60, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    fc.constantFrom("", " ", "\u0000", "a\u007f", "\uD800", "\uDC00x", ASTRAL),
    fc.integer({ min: Math.max(0, max - 3), max: max + 3 }).map((n) => "x".repeat(n)),
    fc
      .tuple(fc.integer({ min: Math.max(0, max - 3), max: max + 3 }), fc.integer({ min: 0, max: max + 3 }))
      .map(([units, astral]) =>
        (ASTRAL.repeat(Math.min(astral, Math.floor(units / 2))) + "y".repeat(units)).slice(0, units),
      ),
    fc
      .integer({ min: Math.floor(max / 2) - 2, max: max + 2 })
      .filter((n) => n >= 0)
      .map((n) => ASTRAL.repeat(n)),
  );
const numberish = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, 1.5, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, 2 ** 53, Number.NaN, Infinity),
);
/** The first of these values, most often. */
const mostly = <T>(good: T, ...others: T[]) =>
  fc.oneof({ weight: 5 * others.length, arbitrary: fc.constant(good) }, fc.constantFrom(...others));
/** Numbers of the kind a field wants, most often; any number now and then. */
const num = (good: fc.Arbitrary<number>) =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: numberish });
const pidLike = num(fc.integer({ min: 1, max: 4_000_000 }));
const time = num(fc.integer({ min: 0, max: 2 ** 45 }));
const count = num(fc.nat({ max: 10 }));
/** Anything at all, the odd kinds of objects included. */
const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});
/** A value of the kind a field wants, most often; anything else now and then. */
/** The values the schemas meet, each field hostile now and then when `wild` says so. */
function values(wild: <T>(good: fc.Arbitrary<T>) => fc.Arbitrary<unknown>) {
  const fingerprint = fc.record(
    {
      resolvedModel: wild(fc.oneof(mostly("openai/gpt-5-mini", "m", " ", "a\nb"), text(1024))),
      modelPolicy: wild(fc.oneof(fc.constantFrom("dynamic", "sticky"), mostly(undefined, "other"))),
      attributes: wild(
        fc.oneof(
          fc.dictionary(text(256), fc.oneof(text(4096), num(fc.integer()), fc.boolean()), { maxKeys: 3 }),
          fc.constant(Object.assign(Object.create(null), { a: 1 })),
          fc.constant({ [Symbol("s")]: 1, a: "x" }),
        ),
      ),
      extra: anything,
    },
    { requiredKeys: ["resolvedModel"] },
  );
  const holder = fc.record(
    {
      pid: wild(pidLike),
      start: wild(text(256)),
      pool: wild(text(64)),
      leases: wild(count),
      lastUsedAt: wild(time),
      other: anything,
    },
    { requiredKeys: ["pid", "leases", "lastUsedAt"] },
  );
  const pidStart = wild(fc.oneof(fc.constantFrom("2024-01-01T00:00:00.000Z:123", undefined), text(256)));
  const record = fc.record(
    {
      kind: wild(mostly("worker", "session")),
      id: wild(fc.oneof(fc.constantFrom("entry-1"), text(256))),
      workerId: wild(fc.oneof(fc.constantFrom("docs", "coder"), text(256))),
      pid: wild(pidLike),
      pidStart,
      fingerprint: wild(fingerprint),
      status: wild(fc.oneof(fc.constantFrom("starting", "ready", "busy", "error", "stopped"), mostly("ready", "gone"))),
      url: wild(fc.oneof(fc.constantFrom("http://127.0.0.1:4096"), text(2048))),
      port: wild(num(fc.integer({ min: 1, max: 65535 }))),
      sessionId: wild(text(1024)),
      backend: wild(text(256)),
      owner: wild(fc.record({ pid: wild(pidLike), start: pidStart, x: anything }, { requiredKeys: ["pid"] })),
      claimExpiresAt: wild(time),
      fingerprintScheme: wild(num(fc.integer({ min: 1, max: 3 }))),
      holders: wild(
        fc.oneof(
          { weight: 9, arbitrary: fc.array(holder, { maxLength: 3 }) },
          fc.constant(new Array(1025).fill({ pid: 1, leases: 0, lastUsedAt: 1 })),
        ),
      ),
      idleTtlMs: wild(num(fc.integer({ min: 1, max: 2 ** 31 - 1 }))),
      draining: wild(fc.boolean()),
      host: wild(text(256)),
      aliveUntil: wild(time),
      startedAt: wild(time),
      updatedAt: wild(time),
      lastError: wild(text(8192)),
      pidExe: wild(text(4096)),
      pidSession: wild(fc.record({ verifiedAt: wild(text(256)), y: anything }, { requiredKeys: ["verifiedAt"] })),
      newerField: anything,
      "0": anything,
    },
    { requiredKeys: ["kind", "id", "workerId", "pid", "status", "startedAt", "updatedAt"] },
  );
  const owner = fc.record(
    { pid: wild(fc.integer({ min: 1, max: 4_000_000 })), start: pidStart, host: wild(text(256)), x: anything },
    { requiredKeys: ["pid", "host"] },
  );
  const claim = fc.record(
    {
      key: wild(text(4096)),
      token: wild(text(128)),
      workerId: wild(fc.oneof(fc.constantFrom("docs"), text(256))),
      owner: wild(owner),
      acquiredAt: wild(time),
      expiresAt: wild(time),
      message: wild(text(8192)),
      retryAfter: wild(time),
      newerField: anything,
    },
    { requiredKeys: ["key", "token", "workerId", "owner", "acquiredAt", "expiresAt"] },
  );
  const request = fc.record(
    {
      workerId: wild(fc.oneof(fc.constantFrom("docs"), text(256))),
      fingerprint: wild(fingerprint),
      forceNew: wild(fc.constantFrom(true, false, undefined)),
      idleTtlMs: wild(num(fc.integer({ min: 1, max: 2 ** 31 - 1 }))),
      signal: wild(fc.constantFrom(new AbortController().signal, AbortSignal.abort(), undefined)),
      stray: anything,
    },
    { requiredKeys: ["workerId", "fingerprint"] },
  );

  // An unknown key in a request is refused (strict): the hostile values have one half the time.
  const plainRequest = request.map((value) => {
    const { stray: _, ...rest } = value as Record<string, unknown>;
    return rest;
  });
  const holderFile = fc.record(
    {
      pid: wild(pidLike),
      start: wild(text(256)),
      pool: wild(text(64)),
      leases: wild(count),
      lastUsedAt: wild(time),
      record: wild(fc.oneof(fc.constantFrom("entry-1"), text(256))),
      other: anything,
    },
    { requiredKeys: ["pid", "leases", "lastUsedAt", "record"] },
  );
  return { record, claim, holder, holderFile, request: fc.oneof(request, plainRequest) };
}
const hostile = values(<T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 40, arbitrary: good }, { weight: 1, arbitrary: anything }, { weight: 1, arbitrary: numberish }),
);
const valid = values((good) => good);

/** What `new WorkerPool(options)` is given. */
const options = fc.record(
  {
    backend: fc.oneof(
      { weight: 6, arbitrary: fc.constant({ name: "b", spawn: () => Promise.reject(new Error("no")) }) },
      fc.constantFrom({ name: "", spawn() {} }, { name: "b" }, { name: "b", spawn() {}, probe: 1 }, null),
    ),
    registry: fc.oneof(
      fc.constantFrom("/tmp/registry", "", false, true, undefined, null),
      fc.constant({
        location: "x",
        hostId: "h",
        ...Object.fromEntries(
          [
            "lookup",
            "list",
            "scan",
            "put",
            "update",
            "remove",
            "acquireClaim",
            "readClaim",
            "renewClaim",
            "releaseClaim",
          ].map((m) => [m, () => undefined]),
        ),
      }),
      fc.constant({ location: "x" }),
    ),
    plugins: fc.oneof(
      { weight: 4, arbitrary: fc.array(fc.constant({ apply() {} }), { maxLength: 2 }) },
      fc.constantFrom([{}], [null], new Array(2), "p", undefined),
    ),
    probeTimeoutMs: num(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
    healthyForMs: num(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
    failedSpawnBackoffMs: num(fc.nat()),
    spawnTimeoutMs: num(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
    allowRemoteUrls: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, anything),
    idleTtlMs: num(fc.integer({ min: 1, max: 2 ** 31 })),
    onSuperseded: fc.constantFrom("keep", "stop", "drain", "later", () => "keep", undefined, 3),
    maxWorkers: num(fc.integer({ min: 1, max: 64 })),
    maxWorkersPerDevice: num(fc.integer({ min: 1, max: 64 })),
    capacityTimeoutMs: num(fc.nat()),
    sweepIntervalMs: num(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
    policyTimeoutMs: num(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
    onRegistryUnavailable: fc.constantFrom("fail", "local-only", "panic", undefined),
    stray: anything,
  },
  { requiredKeys: ["backend"] },
);

const validOptions = fc.record(
  {
    backend: fc.constant({ name: "b", spawn: () => Promise.reject(new Error("no")) }),
    registry: fc.constantFrom("/tmp/registry", false, undefined),
    plugins: fc.array(fc.constant({ apply() {} }), { maxLength: 2 }),
    probeTimeoutMs: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    healthyForMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    allowRemoteUrls: fc.boolean(),
    idleTtlMs: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    onSuperseded: fc.constantFrom("keep", "stop", "drain", () => "keep" as const),
    maxWorkers: fc.integer({ min: 1, max: 64 }),
    onRegistryUnavailable: fc.constantFrom("fail", "local-only"),
  },
  { requiredKeys: ["backend"] },
);

/** A value as it reaches the schema: as built, through a JSON file (what records and claims are), or with a `__proto__` key. */
const delivered = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 4, arbitrary: value },
    {
      weight: 4,
      arbitrary: value.map((v) => {
        try {
          return JSON.parse(JSON.stringify(v)) as unknown;
        } catch {
          return v; // a BigInt somewhere: as built
        }
      }),
    },
    {
      weight: 1,
      arbitrary: value.map((v) =>
        typeof v === "object" && v !== null ? JSON.parse(`{"__proto__":{"kind":"worker"},"a":1}`) : v,
      ),
    },
    { weight: 1, arbitrary: anything },
  );

const RUNS = 3_000;

describe("each hand-written check agrees with its zod schema wherever it answers", () => {
  const cases: [string, Zod, fc.Arbitrary<unknown>][] = [
    ["WorkerRecordSchema", WorkerRecordSchema, fc.oneof(delivered(hostile.record), delivered(valid.record))],
    ["WorkerPoolOptionsSchema", WorkerPoolOptionsSchema, fc.oneof(options, validOptions, anything)],
    ["WorkerRequestSchema", WorkerRequestSchema, fc.oneof(delivered(hostile.request), delivered(valid.request))],
    ["SpawnClaimSchema", SpawnClaimSchema, fc.oneof(delivered(hostile.claim), delivered(valid.claim))],
    ["ClaimFailureSchema", ClaimFailureSchema, fc.oneof(delivered(hostile.claim), delivered(valid.claim))],
    ["LeaseHolderSchema", LeaseHolderSchema, fc.oneof(delivered(hostile.holder), delivered(valid.holder))],
    ["HolderFileSchema", HolderFileSchema, fc.oneof(delivered(hostile.holderFile), delivered(valid.holderFile))],
  ];
  test("every hand check is tested here", () => {
    expect(new Set(cases.map(([, schema]) => schema))).toEqual(new Set(HAND_CHECKS.keys()));
  });
  for (const [name, schema, values] of cases) {
    test(name, () => {
      const tally: Tally = { accepted: 0, rejected: 0, asked: 0 };
      fc.assert(
        fc.property(values, (value) => agree(schema, value, tally)),
        { numRuns: RUNS },
      );
      // The check must really answer, both ways, or this test proves nothing about it.
      expect(tally.accepted).toBeGreaterThan(RUNS / 20);
      expect(tally.rejected).toBeGreaterThan(RUNS / 20);
    });
  }
});

describe("the values a decision meets are answered by the checks alone", () => {
  const now = Date.now();
  const written = {
    kind: "worker",
    id: "entry-0",
    workerId: "target",
    pid: 4242,
    pidStart: "12345",
    fingerprint: { resolvedModel: "openai/gpt-5-mini", modelPolicy: "dynamic", attributes: { ctx: 8192, q: "q4" } },
    status: "ready",
    url: "http://127.0.0.1:4096",
    port: 4096,
    owner: { pid: 4242, start: "12345" },
    holders: [{ pid: 7, start: "1", pool: "process", leases: 1, lastUsedAt: now }],
    startedAt: now,
    updatedAt: now,
    host: "h",
    pidExe: "/usr/bin/node",
    pidSession: { verifiedAt: "12345" },
    fromANewerVersion: { kept: true },
  };
  const lock = {
    key: "record\u0000target\u0000entry-0",
    token: "3.abc",
    workerId: "target",
    owner: { pid: 4242, start: "12345", host: "h" },
    acquiredAt: now,
    expiresAt: now + 5_000,
  };
  const cases: [string, Zod, unknown, "accepted" | "rejected"][] = [
    ["a record file", WorkerRecordSchema, JSON.parse(JSON.stringify(written)), "accepted"],
    ["a request", WorkerRequestSchema, { workerId: "target", fingerprint: { resolvedModel: "m" } }, "accepted"],
    [
      "a request with a signal",
      WorkerRequestSchema,
      { workerId: "t", fingerprint: { resolvedModel: "m" }, signal: AbortSignal.abort(), forceNew: true },
      "accepted",
    ],
    ["a record lock's claim", SpawnClaimSchema, lock, "accepted"],
    ["a released lock read as a failure", ClaimFailureSchema, lock, "rejected"],
    [
      "a lease entry",
      LeaseHolderSchema,
      { pid: 4242, start: "12345", pool: "process", leases: 1, lastUsedAt: now },
      "accepted",
    ],
    [
      "a lease entry's file",
      HolderFileSchema,
      JSON.parse(
        JSON.stringify({ pid: 4242, start: "12345", pool: "process", leases: 0, lastUsedAt: now, record: "entry-0" }),
      ),
      "accepted",
    ],
  ];
  for (const [name, schema, value, expected] of cases) {
    test(name, () => {
      const tally: Tally = { accepted: 0, rejected: 0, asked: 0 };
      agree(schema, value, tally);
      expect(tally[expected]).toBe(1);
    });
  }
});
