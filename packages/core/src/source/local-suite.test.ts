import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vitest from 'vitest';
import { builtinDetectors } from '../detectors/index.js';
import { scan } from '../engine/scan.js';
import { localSource } from './local.js';
import { sourceSuite, type SourceSuiteHarness } from './source-suite.js';

/**
 * The local filesystem under the shared Source suite: each location is a fresh temp folder. Run
 * twice: reads on worker threads (the default) and through the callback API (`ioThreads: 0`).
 */
const local = (ioThreads?: number): SourceSuiteHarness => ({
  name: ioThreads === 0 ? 'local (callback API)' : 'local',
  async create(files) {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-suite-')));
    for (const [rel, bytes] of files) {
      const abs = path.join(root, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, bytes);
    }
    return {
      source: (options) => localSource({ root, ...(ioThreads !== undefined ? { ioThreads } : {}), ...(options?.include ? { include: options.include } : {}), ...(options?.exclude ? { exclude: options.exclude } : {}) }),
      remove: async (rel) => fs.rmSync(path.join(root, rel)),
      write: async (rel, bytes) => fs.writeFileSync(path.join(root, rel), bytes),
      dispose: async () => fs.rmSync(root, { recursive: true, force: true }),
    };
  },
});

sourceSuite(vitest, { scan, localSource, builtinDetectors }, local());
sourceSuite(vitest, { scan, localSource, builtinDetectors }, local(0));
