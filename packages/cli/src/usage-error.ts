/** A mistake in how the command was called: printed with a pointer to the command's help, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError" as const;
  /** The command whose help to point at; undefined for the top-level help. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
