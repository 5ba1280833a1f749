import type { ChildProcess } from "node:child_process";
import { onTestFinished } from "vitest";
import { Pauser } from "./pauser.js";
import { straceCommand } from "./strace.js";
import { isHostile } from "./world.js";

/**
 * The command that starts a race participant: under the hostile runner's `strace` attack, wrapped so its
 * registry writes are delayed (see `straceCommand`); otherwise as given. The pid of what is spawned is
 * the participant's own either way.
 */
export function participantCommand(command: string, args: readonly string[]): { command: string; args: string[] } {
  return isHostile("strace") ? straceCommand(command, args) : { command, args: [...args] };
}

let pauser: Pauser | undefined;

/**
 * Makes `child` a participant of the running test's hostile world: under the `pause` attack, it is
 * SIGSTOPped and resumed at random moments until it exits or the test ends (then whatever is paused is
 * resumed). Outside the hostile runner it does nothing. `startNodeScript` calls it for every process it
 * starts; a race that spawns participants some other way calls it itself.
 */
export function joinHostileWorld(child: ChildProcess): void {
  if (!isHostile("pause")) return;
  pauseAtRandom(child);
}

/** Pauses `child` at random moments until the running test ends, whatever the hostile world says. */
export function pauseAtRandom(child: ChildProcess): void {
  if (pauser === undefined) {
    const current = new Pauser();
    pauser = current;
    onTestFinished(async () => {
      pauser = undefined;
      await current.stop();
    });
  }
  pauser.add(child);
}
