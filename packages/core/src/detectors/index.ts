import type { Detector } from '../engine/detector.js';
import { c2pa } from './c2pa/index.js';
import { croissantUsage } from './croissant-usage/index.js';
import { datasetCard } from './dataset-card/index.js';
import { hfGating } from './hf-gating/index.js';
import { iptcPlus } from './iptc-plus/index.js';
import { licenceFile } from './licence-file/index.js';
import { spdxTag } from './spdx-tag/index.js';
import { tdmrepXmp } from './tdmrep-xmp/index.js';
import { projectMetadata } from './project-metadata/index.js';
import { copyright } from './copyright/index.js';
import { reuseToml, reuseSidecar, reuseLicences } from './reuse/index.js';
import { zipEncryption } from './zip-encryption/index.js';
import { sevenZip } from './sevenzip/index.js';
import { rar } from './rar/index.js';
import { epubDrm } from './epub-drm/index.js';
import { odfEncryption } from './odf-encryption/index.js';
import { pdfEncryption } from './pdf-encryption/index.js';
import { officeEncryption } from './office-encryption/index.js';
import { bmffEncryption } from './bmff-encryption/index.js';
import { asfDrm } from './asf-drm/index.js';
import { mobiDrm } from './mobi-drm/index.js';

export { datasetCard, licenceFile, spdxTag, projectMetadata, iptcPlus, tdmrepXmp, c2pa, hfGating, croissantUsage, copyright, reuseToml, reuseSidecar, reuseLicences, zipEncryption, sevenZip, rar, epubDrm, odfEncryption };
export { pdfEncryption, officeEncryption, bmffEncryption, asfDrm, mobiDrm };

/** Every detector that ships with Clearance, in no particular order (the engine runs all that match). */
export const builtinDetectors: readonly Detector[] = [spdxTag, licenceFile, datasetCard, projectMetadata, iptcPlus, tdmrepXmp, c2pa, hfGating, croissantUsage, copyright, reuseToml, reuseSidecar, reuseLicences, zipEncryption, sevenZip, rar, epubDrm, odfEncryption, pdfEncryption, officeEncryption, bmffEncryption, asfDrm, mobiDrm];
