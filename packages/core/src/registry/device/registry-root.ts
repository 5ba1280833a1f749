import { lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { NotARegistryError } from "../../errors/NotARegistryError.js";
import { RegistryVersionError } from "../../errors/RegistryVersionError.js";
import { UnsafeRegistryPermissionsError } from "../../errors/UnsafeRegistryPermissionsError.js";
import { parseBoundedJson } from "./bounded-json.js";
import { ensureOwnDirectory } from "./own-directory.js";
import { createFileExclusively, TEMP_PREFIX } from "./replace-file.js";
import { readOwnSmallFile } from "./safe-read.js";

/** The format this modelpool writes. Version 1 and 2 were single files (read as legacy sources). */
export const REGISTRY_DIRECTORY_VERSION = 3;
const FORMAT = "modelpool-registry";
const MARKER = "format.json";
const PARTS = ["workers", "claims", "locks"] as const;
const GROUP_OR_OTHER_WRITE = 0o022;

type State = "unchecked" | "ready" | "prepared" | "read-only";

/**
 * Roots this process already checked (or prepared for writing), by path, with the directory's identity and
 * times then: a new registry instance on the same unchanged directory (a new pool per task) costs one
 * stat, not the checks. Removing or adding a part changes the root's times, hence the key.
 */
const checkedRoots = new Map<
  string,
  { key: string; state: "ready" | "prepared" | "read-only"; version: number; missing: string[] }
>();
/**
 * The root's identity and times, and its marker's: a marker rewritten in place (a newer version) leaves
 * the directory's times as they were.
 */
function rootKey(path: string, stats: import("node:fs").Stats): string {
  let marker: import("node:fs").Stats | undefined;
  try {
    marker = lstatSync(join(path, MARKER), { throwIfNoEntry: false });
  } catch {
    marker = undefined; // not a directory: the checks that follow say what it is
  }
  const markerKey = marker ? `${marker.ino}:${marker.size}:${marker.mtimeMs}:${marker.ctimeMs}` : "-";
  return `${stats.dev}:${stats.ino}:${stats.mode}:${stats.uid}:${stats.mtimeMs}:${stats.ctimeMs}:${markerKey}`;
}

/**
 * The registry directory itself: what it must be before anything in it is trusted (ours, 0700, not
 * writable by others — sticky or not, as ssh insists for its keys — and marked as a registry), and its
 * creation on the first write. Reading never creates or changes anything.
 */
export class RegistryRoot {
  readonly path: string;
  readonly workers: string;
  readonly claims: string;
  readonly locks: string;
  #state: State = "unchecked";
  #version = REGISTRY_DIRECTORY_VERSION;
  /** The parts the last check found missing (to create before the first write). */
  #missing: string[] = [...PARTS];

  constructor(path: string) {
    this.path = path;
    this.workers = join(path, "workers");
    this.claims = join(path, "claims");
    this.locks = join(path, "locks");
  }

  /** Whether there is a registry to read (false: not created yet). Throws when the path is unsafe or not a registry. */
  readable(): boolean {
    if (this.#state !== "unchecked") return true;
    const stats = this.#stat();
    if (!stats) return false;
    const known = checkedRoots.get(this.path);
    if (known?.key === rootKey(this.path, stats)) {
      this.#state = known.state;
      this.#version = known.version;
      this.#missing = known.missing;
      return true;
    }
    this.#check(stats);
    this.#remember(stats);
    return true;
  }

  /** Creates the registry if missing (0700 directories, the format marker); refuses a newer version. */
  prepareForWriting(): void {
    if (this.#state === "unchecked") {
      try {
        mkdirSync(this.path, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw this.#notADirectoryPath(error);
      }
      this.#check(statSync(this.path));
    }
    if (this.#state === "read-only") {
      throw new RegistryVersionError(this.path, this.#version, REGISTRY_DIRECTORY_VERSION);
    }
    if (this.#state === "prepared") return;
    // Only what the check found missing: a registry already whole costs a new process no write at all.
    for (const part of this.#missing) ensureOwnDirectory(join(this.path, part));
    createFileExclusively(
      this.path,
      MARKER,
      `${JSON.stringify({ format: FORMAT, version: REGISTRY_DIRECTORY_VERSION })}\n`,
    );
    this.#missing = [];
    this.#state = "prepared";
    const stats = this.#stat();
    if (stats) this.#remember(stats);
  }

  #remember(stats: import("node:fs").Stats): void {
    const state = this.#state;
    if (state === "unchecked") return;
    checkedRoots.set(this.path, {
      key: rootKey(this.path, stats),
      state,
      version: this.#version,
      missing: this.#missing,
    });
  }

  #stat(): import("node:fs").Stats | undefined {
    try {
      return statSync(this.path, { throwIfNoEntry: false });
    } catch (error) {
      throw this.#notADirectoryPath(error);
    }
  }

  /** A path through a regular file (`ENOTDIR`) names no registry: a typed error, nothing created. */
  #notADirectoryPath(error: unknown): unknown {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") {
      return new NotARegistryError(this.path, "a part of its path is not a directory");
    }
    return error;
  }

  #check(stats: import("node:fs").Stats): void {
    if (!stats.isDirectory()) throw new NotARegistryError(this.path, `it is ${kindOf(stats)}, not a directory`);
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw new UnsafeRegistryPermissionsError(this.path, stats.mode, stats.uid, "it belongs to another user");
    }
    if ((stats.mode & GROUP_OR_OTHER_WRITE) !== 0) {
      throw new UnsafeRegistryPermissionsError(
        this.path,
        stats.mode,
        stats.uid,
        "other users may write to it (sticky or not); run chmod 700 on it",
      );
    }
    const missing: string[] = [];
    for (const part of PARTS) {
      const partStats = lstatSync(join(this.path, part), { throwIfNoEntry: false });
      if (!partStats) missing.push(part);
      else if (!partStats.isDirectory()) {
        throw new NotARegistryError(this.path, `its ${part} is ${kindOf(partStats)} (never followed)`);
      }
    }
    this.#missing = missing;
    const marker = readOwnSmallFile(join(this.path, MARKER), 4096);
    if (!marker.ok) {
      if (!marker.missing) throw new NotARegistryError(this.path, `its ${MARKER} ${marker.reason}`);
      // What a registry being created by another process right now may hold (its marker may appear
      // between the read above and this listing); anything else, dotfiles included, is someone else's.
      const foreign = readdirSync(this.path).filter(
        (name) => !name.startsWith(TEMP_PREFIX) && name !== MARKER && !(PARTS as readonly string[]).includes(name),
      );
      if (foreign.length > 0) {
        throw new NotARegistryError(
          this.path,
          `it holds other files (${foreign.slice(0, 3).join(", ")}) and no ${MARKER}`,
        );
      }
      this.#state = "ready";
      return;
    }
    const parsed = parseBoundedJson(marker.text);
    const format = parsed.ok ? (parsed.value as { format?: unknown; version?: unknown } | null) : null;
    if (format?.format !== FORMAT || typeof format.version !== "number" || !Number.isInteger(format.version)) {
      throw new NotARegistryError(this.path, `its ${MARKER} is not a modelpool registry marker`);
    }
    this.#version = format.version;
    // Marked, and every part a real directory (lstat above): ready for writing as it is, nothing to create.
    if (format.version > REGISTRY_DIRECTORY_VERSION) this.#state = "read-only";
    else this.#state = missing.length === 0 ? "prepared" : "ready";
  }
}

function kindOf(stats: import("node:fs").Stats): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a directory";
}
