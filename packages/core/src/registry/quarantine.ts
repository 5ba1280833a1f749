import { rename, stat } from "node:fs/promises";

/** Moves a file that cannot be read as a registry aside, bytes untouched, and returns where it went. */
export async function quarantineFile(path: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  for (let n = 0; ; n++) {
    const target = `${path}.corrupt-${stamp}${n === 0 ? "" : `-${n}`}`;
    if (await exists(target)) continue;
    await rename(path, target);
    return target;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
