import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** This package's version, read from its package.json (one level above both src/ and dist/). */
export const VERSION = (require('../package.json') as { version: string }).version;
