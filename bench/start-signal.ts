// The children of `runTogether`: say "ready" once imported, then wait for the parent's "go", so that the
// time measured is the work, not Node's start-up on a loaded machine.
import { once } from "node:events";

export async function readyThenWaitForGo(): Promise<void> {
  console.log("ready");
  process.stdin.setEncoding("utf8");
  let received = "";
  while (!received.includes("go")) {
    const [chunk] = (await once(process.stdin, "data")) as [string];
    received += chunk;
  }
  process.stdin.pause();
  process.stdin.unref();
}
