import { runNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const script = new URL("./fixtures/spawn-and-stop.ts", import.meta.url);

test("with NODE_DEBUG=modelpool and no logger, each event is a MODELPOOL line on stderr", async () => {
  const { stdout, stderr } = await runNodeScript(script, [await tempRegistryPath()], { NODE_DEBUG: "modelpool" });
  const { pid, id } = JSON.parse(stdout) as { pid: number; id: string };

  const lines = stderr.split("\n").filter((line) => line.startsWith("MODELPOOL "));
  const events = lines.map((line) => /"event":"(\w+)"/.exec(line)?.[1]);
  expect(events).toEqual(["spawnStarted", "spawnReady", "leased", "decided", "released", "stopped"]);
  const ready = lines[1] ?? "";
  expect(ready).toContain(`spawn ready: worker docs (${id}, pid ${pid})`);
  expect(ready).toContain('"code":"SPAWN_READY"');
  expect(lines[5]).toContain('"cause":"manual"');
});

test("without NODE_DEBUG nothing is written", async () => {
  const { stderr } = await runNodeScript(script, [await tempRegistryPath()], { NODE_DEBUG: "" });

  expect(stderr).not.toContain("MODELPOOL");
});
