/** Thrown for a command line that cannot run; the CLI prints it with the usage hint and exits 2. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

/** What a command writes to and reads from; tests pass their own. */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM by bin.ts. */
  signal?: AbortSignal;
}

/**
 * One `clearance <name>` command: its help text and what it does with its own arguments. A command
 * returns the exit status; it throws {@link UsageError} for arguments it cannot run with.
 */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  help: string;
  run(argv: readonly string[], io: Io): Promise<number>;
}
