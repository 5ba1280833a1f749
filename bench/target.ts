// The workerId and model every bench looks up. A module of its own so that the first-decision child can
// name them without importing @modelpool/core (registry-fixture.ts does) before its clock starts.
export const TARGET = { workerId: "target", model: "openai/gpt-5-mini" } as const;
