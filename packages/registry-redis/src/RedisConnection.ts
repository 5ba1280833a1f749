import { CorruptRegistryError, RegistryUnavailableError } from "@modelpool/core";
import { createClient, ErrorReply, type RedisArgument } from "@redis/client";
import type { ResolvedRedisRegistryOptions } from "./options.js";

type Client = ReturnType<typeof createClient>;
/** What Redis answers (RESP2): a bulk string, an integer, an array of those, or nil. */
export type Reply = string | number | null | Reply[];

/**
 * One client connection, opened on first use, with every wait bounded: connecting by `connectTimeoutMs`,
 * each command's reply by `commandTimeoutMs` (a write whose reply timed out may still be applied later: every
 * write of the store is a whole-value replace, a compare-and-set or token-checked, so a late one is harmless). No offline queue: while the server is away, commands fail at once
 * instead of piling up, and every failure to reach Redis is a `RegistryUnavailableError` naming the cause.
 * A `WRONGTYPE` reply is a `CorruptRegistryError` naming the key(s); `NOSCRIPT` is thrown as the client's
 * `ErrorReply` (the script is then sent whole); any other error reply is a `RegistryUnavailableError`.
 */
export class RedisConnection {
  readonly #client: Client;
  readonly #location: string;
  readonly #connectTimeoutMs: number;
  readonly #commandTimeoutMs: number;
  #connecting: Promise<void> | undefined;
  #closed = false;
  /** Given by the application (`client`): never closed or destroyed here. */
  #borrowed = false;

  constructor(options: ResolvedRedisRegistryOptions, location: string) {
    this.#location = location;
    this.#connectTimeoutMs = options.connectTimeoutMs;
    this.#commandTimeoutMs = options.commandTimeoutMs;
    if (options.client) {
      // The application's client: its settings are its own, and it stays open when the store closes.
      this.#client = options.client as unknown as Client;
      this.#borrowed = true;
      return;
    }
    const tls = options.tls ? { tls: true as const, ...options.tls } : {};
    this.#client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs,
        // Reconnect in the background after a drop (a restarted Redis comes back by itself); while it is
        // down, commands fail fast (no offline queue) rather than wait for it.
        reconnectStrategy: (retries) => Math.min(50 * 2 ** Math.min(retries, 5), 1_000),
        ...tls,
      },
    });
    // Without a listener, a connection error would crash the process; failures reach callers as typed
    // errors from the commands they ran.
    this.#client.on("error", () => {});
  }

  /** Sends one command; resolves to its reply. */
  async send(args: readonly RedisArgument[]): Promise<Reply> {
    const started = performance.now();
    await this.#connected(started);
    let timer: NodeJS.Timeout | undefined;
    try {
      // The client's own `timeout` only covers a command still waiting to be written, not one the server
      // sits on (CLIENT PAUSE, a stalled server): the wait for the reply is bounded here. A late reply is
      // still read and dropped, so the connection's replies stay in step with its commands.
      const reply = this.#client.sendCommand<Reply>(args, { timeout: this.#commandTimeoutMs });
      return await Promise.race([
        reply,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reply.catch(() => {});
            reject(new Error(`no reply to ${String(args[0])} within ${this.#commandTimeoutMs} ms`));
          }, this.#commandTimeoutMs);
        }),
      ]);
    } catch (error) {
      throw this.#typed(error, started, false, args);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#borrowed) return;
    if (this.#client.isOpen) await this.#client.close().catch(() => this.#client.destroy());
    else this.#client.destroy();
  }

  async #connected(started: number): Promise<void> {
    if (this.#closed) throw new RegistryUnavailableError(this.#location, 0, "the store was closed");
    if (this.#client.isReady) return;
    // Open and still reconnecting: fail now, the background reconnect goes on.
    if (this.#client.isOpen && this.#connecting === undefined) {
      throw new RegistryUnavailableError(this.#location, 0, "the connection is down, reconnecting");
    }
    this.#connecting ??= this.#openOnce();
    try {
      await this.#connecting;
    } catch (error) {
      // Here even a Redis error reply (a wrong password, `NOAUTH`) means the store cannot be used.
      throw this.#typed(error, started, true);
    }
  }

  /** Connects, or gives up after `connectTimeoutMs` (also while the client keeps retrying a refused port). */
  async #openOnce(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onError: ((error: unknown) => void) | undefined;
    const connecting = this.#client.connect();
    try {
      await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no connection within ${this.#connectTimeoutMs} ms`)),
            this.#connectTimeoutMs,
          );
        }),
        // A fault the server or the resolver has answered (a wrong password, a refused port, an unknown
        // host) ends the attempt at once: the client would only retry it until the timeout.
        new Promise<never>((_, reject) => {
          onError = (error) => {
            const final = finalConnectFault(error);
            if (final !== undefined) reject(new ConnectFault(final, error));
          };
          this.#client.on("error", onError);
        }),
      ]);
    } catch (error) {
      // Stop the client's own retry loop: the next command starts a fresh, again bounded, attempt (an
      // application's client is left to its own retry settings).
      connecting.catch(() => {});
      if (!this.#borrowed) this.#client.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
      if (onError) this.#client.off("error", onError);
      this.#connecting = undefined;
    }
  }

  #typed(error: unknown, started: number, connecting = false, args: readonly RedisArgument[] = []): unknown {
    if (error instanceof RegistryUnavailableError) return error;
    if (error instanceof ErrorReply && !connecting) {
      const word = error.message.split(" ")[0] ?? "";
      // A script the server does not know yet: the caller sends it whole.
      if (word === "NOSCRIPT") return error;
      // A key of the namespace holding another type than the store's (an operator's mistake, or another
      // program's key): the store cannot use it, and says which key(s).
      if (word === "WRONGTYPE") {
        return new CorruptRegistryError(keysOf(args).join(", "), error.message, undefined, { cause: error });
      }
      const fault = finalConnectFault(error);
      const waited = Math.round(performance.now() - started);
      return new RegistryUnavailableError(this.#location, waited, fault ?? `Redis refused: ${error.message}`, {
        cause: error,
      });
    }
    const waited = Math.round(performance.now() - started);
    if (error instanceof ConnectFault) {
      return new RegistryUnavailableError(this.#location, waited, error.message, { cause: error.cause });
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new RegistryUnavailableError(this.#location, waited, detail, { cause: error });
  }
}

/** A connection attempt ended by a fault that retrying will not cure; `message` says what it was. */
class ConnectFault extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/**
 * What a connection error says, when it is final: the server refused the credentials, nothing listens on
 * the port, the host name does not resolve. Undefined for anything else (a timeout, a dropped packet),
 * which the connect timeout bounds. Never quotes the URL: only the server's reply, a code, and a host name.
 */
export function finalConnectFault(error: unknown): string | undefined {
  if (error instanceof ErrorReply) {
    const word = error.message.split(" ")[0] ?? "";
    if (word === "WRONGPASS" || word === "NOPERM") return `authentication refused by the server (${error.message})`;
    if (word === "NOAUTH") return `authentication required by the server (${error.message})`;
    return undefined;
  }
  const { code, hostname, address, port } = (error ?? {}) as {
    code?: unknown;
    hostname?: unknown;
    address?: unknown;
    port?: unknown;
  };
  if (code === "ECONNREFUSED") return `connection refused (ECONNREFUSED ${String(address)}:${String(port)})`;
  if (code === "ENOTFOUND" || code === "EAI_NONAME" || code === "EAI_FAIL") {
    return `host name ${String(hostname)} not found (${code})`;
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return `no route to ${String(address)} (${code})`;
  }
  return undefined;
}

/** The keys a command names: a script's declared keys, or a plain command's first argument. */
function keysOf(args: readonly RedisArgument[]): string[] {
  const [command, ...rest] = args.map(String);
  if (command === "EVALSHA" || command === "EVAL") {
    const count = Number(rest[1] ?? 0);
    return rest.slice(2, 2 + count);
  }
  if (command === "MGET") return rest;
  return rest.slice(0, 1);
}
