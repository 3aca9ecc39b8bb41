import type { Detector } from '../engine/detector.js';
import { datasetCard } from './dataset-card/index.js';
import { iptcPlus } from './iptc-plus/index.js';
import { licenceFile } from './licence-file/index.js';
import { spdxTag } from './spdx-tag/index.js';
import { tdmrepXmp } from './tdmrep-xmp/index.js';
import { projectMetadata } from './project-metadata/index.js';

export { datasetCard, licenceFile, spdxTag, projectMetadata, iptcPlus, tdmrepXmp };

/** Every detector that ships with Clearance, in no particular order (the engine runs all that match). */
export const builtinDetectors: readonly Detector[] = [spdxTag, licenceFile, datasetCard, projectMetadata, iptcPlus, tdmrepXmp];
