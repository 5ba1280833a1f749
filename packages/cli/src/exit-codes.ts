/**
 * The one exit-code table of the `modelpool` command: every command ends through it, and `--help`
 * prints it, so scripts can rely on the numbers.
 */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** The registry could not be used: does not exist, not a registry, written by a newer modelpool, unsafe permissions, lock timeout. */
  REGISTRY: 1,
  /** The command line was wrong: unknown command or flag, missing or extra argument, invalid value, policy module not loadable. */
  USAGE: 2,
  /** Anything else went wrong (a bug, or the environment): the message says what. */
  UNEXPECTED: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP = `Exit codes:
  0  done
  1  the registry could not be used (does not exist, not a registry, newer version, unsafe permissions, lock timeout)
  2  usage error (unknown command or flag, wrong arguments, invalid value, policy not loadable)
  3  unexpected failure (the message says what)`;
