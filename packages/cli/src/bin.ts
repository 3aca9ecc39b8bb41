#!/usr/bin/env node
import { main } from './cli.js';

const controller = new AbortController();
let interrupts = 0;
const stop = () => {
  interrupts++;
  // The first signal lets the scan stop and write a partial report; the second leaves at once.
  if (interrupts > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`clearance: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
