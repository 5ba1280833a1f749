import { createHash } from "node:crypto";

/**
 * A string as a key segment: ASCII letters, digits, `.`, `_` and `-` stay, every other UTF-8 byte
 * becomes `%XX`. Injective (so two workerIds never share a key), and no `:`, `*`, `?`, `[` or whitespace
 * can reach a key name from a workerId or record id.
 */
export function encodeKeySegment(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Every key the store uses, under one namespace per deployment. */
export class RegistryKeys {
  readonly namespace: string;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  /** One JSON record. */
  record(workerId: string, id: string): string {
    return `${this.namespace}:rec:${encodeKeySegment(workerId)}:${encodeKeySegment(id)}`;
  }

  /** The heartbeat of one record: present (with a TTL) while its owning host says the worker lives. */
  heartbeat(workerId: string, id: string): string {
    return `${this.namespace}:alive:${encodeKeySegment(workerId)}:${encodeKeySegment(id)}`;
  }

  /** A set of the record ids of one workerId: a lookup reads this and those records only. */
  workerIndex(workerId: string): string {
    return `${this.namespace}:idx:${encodeKeySegment(workerId)}`;
  }

  /** A set of every workerId that has records (for `list`). */
  workerIds(): string {
    return `${this.namespace}:workers`;
  }

  /**
   * The liveness signal of one lease-holding process (`host`, `pid`, `start`): present, with a TTL, while
   * that process's store renews it. Another host judges the process's lease entries by it. Named by a SHA1
   * of `host\npid\nstart` so that a Lua script can derive it from an entry (`holderKeyPrefix` + sha1hex).
   */
  holder(host: string, pid: number, start: string | undefined): string {
    return `${this.holderKeyPrefix()}${createHash("sha1")
      .update(`${host}\n${pid}\n${start ?? ""}`)
      .digest("hex")}`;
  }

  holderKeyPrefix(): string {
    return `${this.namespace}:holder:`;
  }

  /**
   * A random value per life of the server's data: absent after a restart that lost it, rewritten when a
   * host sees a new run id (a promoted replica). Scripts that stop or claim read it in the same step.
   */
  epoch(): string {
    return `${this.namespace}:epoch`;
  }

  /** A spawn claim; claim keys can be long, so they are hashed. */
  claim(key: string): string {
    return `${this.namespace}:claim:${hashed(key)}`;
  }

  /** What the last holder of a claim failed with, kept for its back-off. */
  claimFailure(key: string): string {
    return `${this.namespace}:fail:${hashed(key)}`;
  }
}

const hashed = (key: string) => createHash("sha256").update(key).digest("base64url");
