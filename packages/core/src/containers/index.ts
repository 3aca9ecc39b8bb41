import type { Container } from '../engine/container.js';
import { tarContainer } from './tar/index.js';
import { zipContainer } from './zip/index.js';
import { warcContainer } from './warc/index.js';

/**
 * The container formats Clearance opens by default, in the order they are tried on an entry: the
 * first whose `match` fits and whose `open` does not return null opens it.
 */
export const builtinContainers: readonly Container[] = [warcContainer, tarContainer, zipContainer];
