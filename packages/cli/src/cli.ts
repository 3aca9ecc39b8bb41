import { ClearanceError, VERSION } from '@clearance/core';
import { identifyCommand } from './commands/identify.js';
import { reportCommand } from './commands/report.js';
import { scanCommand } from './commands/scan.js';
import { UsageError, type Command, type Io } from './usage.js';

export type { Io } from './usage.js';

/** Every command, by name. A new command is one module under commands/ and one line here. */
const COMMANDS: readonly Command[] = [scanCommand, reportCommand, identifyCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: clearance <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "clearance <command> --help" for a command's options.
  -h, --help     Show this help.
  -V, --version  Show the version.
`;
}

/** Runs the CLI and returns the exit status: 0 passed the gate, 1 failed it, 2 usage or fatal error, 130 interrupted. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? topic.help : overview());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (!command) throw new UsageError(`unknown command "${first}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`clearance: ${err.message}\nRun "clearance ${command ? `${command.name} ` : ''}--help" for usage.\n`);
      return 2;
    }
    if (err instanceof ClearanceError || (err instanceof Error && 'code' in err && err.code === 'ERR_REPORTER')) {
      io.stderr.write(`${err.message.replace(/^\[clearance\] /, 'clearance: ')}\n`);
      return err instanceof ClearanceError && err.code === 'ERR_ABORTED' ? 130 : 2;
    }
    throw err;
  }
}
