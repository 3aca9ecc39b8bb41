import type { Detector } from '../engine/detector.js';
import { tdmrepEpub } from './tdmrep-epub/index.js';
import { aiTxt } from './ai-txt/index.js';
import { htmlMeta } from './html-meta/index.js';
import { httpHeaders } from './http-headers/index.js';
import { robotsTxt } from './robots-txt/index.js';
import { rsl } from './rsl/index.js';
import { tdmrep } from './tdmrep/index.js';
import { tdmrepPolicy } from './tdmrep-policy/index.js';
import { datasetCard } from './dataset-card/index.js';
import { iptcPlus } from './iptc-plus/index.js';
import { licenceFile } from './licence-file/index.js';
import { licenceText } from './licence-text/index.js';
import { licenceChoice } from './licence-choice/index.js';
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
import { mediaRights } from './media-rights/index.js';

export { licenceText, licenceChoice };
export { datasetCard, licenceFile, spdxTag, projectMetadata, iptcPlus, tdmrepXmp, copyright, reuseToml, reuseSidecar, reuseLicences, zipEncryption, sevenZip, rar, epubDrm, odfEncryption };
export { tdmrep, tdmrepPolicy, htmlMeta, httpHeaders, robotsTxt, rsl, aiTxt };
export { pdfEncryption, officeEncryption, bmffEncryption, asfDrm, mobiDrm, mediaRights };
export { tdmrepEpub };

/** Every detector that ships with Clearance, in no particular order (the engine runs all that match). */
export const builtinDetectors: readonly Detector[] = [spdxTag, licenceFile, licenceText, licenceChoice, datasetCard, projectMetadata, iptcPlus, tdmrepXmp, copyright, reuseToml, reuseSidecar, reuseLicences, zipEncryption, sevenZip, rar, epubDrm, odfEncryption, tdmrep, tdmrepPolicy, htmlMeta, httpHeaders, robotsTxt, rsl, aiTxt, pdfEncryption, officeEncryption, bmffEncryption, asfDrm, mobiDrm, mediaRights, tdmrepEpub];
