import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { timeoutSignal } from "../timers/timeout-signal.js";

/**
 * Follows a log file from the start until a line matches `pattern`; resolves with the match.
 * The worker writes to a file, not a pipe, so it can outlive the process that spawned it.
 * `pattern` is used through a copy whose `lastIndex` is reset for every line: with `g` or `y`, `exec` would
 * otherwise carry it from one line, and one spawn, to the next, and miss the ready line (`y` still anchors
 * the match at the start of each line).
 */
export async function waitForLogLine(
  path: string,
  pattern: RegExp,
  signal: AbortSignal,
  pollMs = 15,
): Promise<RegExpExecArray> {
  const matcher = new RegExp(pattern.source, pattern.flags);
  const handle = await open(path, "r");
  try {
    let position = 0;
    let pending = "";
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        pending += buffer.toString("utf8", 0, bytesRead);
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          matcher.lastIndex = 0;
          const match = matcher.exec(line);
          if (match) return match;
        }
        continue;
      }
      await sleep(pollMs, undefined, { signal });
    }
  } finally {
    await handle.close();
  }
}

/** Polls `url` until it answers with a 2xx status. Each attempt is bounded, so a hung socket cannot stall it. */
export async function waitForHttpOk(url: string, signal: AbortSignal, pollMs = 50): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const attempt = timeoutSignal(2_000, signal);
    try {
      const response = await fetch(url, { signal: attempt.signal });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    } finally {
      attempt.clear();
    }
    await sleep(pollMs, undefined, { signal });
  }
}
