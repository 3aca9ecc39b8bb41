import type { Container } from '../engine/container.js';
import { tarContainer } from './tar/index.js';
import { zipContainer } from './zip/index.js';
import { jsonl } from './jsonl/index.js';
import { csv } from './csv/index.js';
import { warcContainer } from './warc/index.js';
import { parquet } from './parquet/index.js';

/**
 * The container formats Clearance opens by default, in the order they are tried on an entry: the
 * first whose `match` fits and whose `open` does not return null opens it.
 * (jsonl and csv match by name alone and come first; warc also matches any text/plain or gzip entry
 * by media type and declines those that do not start with a WARC record.)
 */
export const builtinContainers: readonly Container[] = [jsonl, csv, parquet, warcContainer, tarContainer, zipContainer];
