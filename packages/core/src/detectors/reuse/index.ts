/**
 * REUSE (reuse.software): three detectors, one per way the REUSE Specification 3.2 records licensing
 * outside a file's own header — REUSE.toml annotations (`reuse-toml`), `.license` sidecars
 * (`reuse-sidecar`) and the `LICENSES/` folder (`reuse-licences`). They are apart because they rank
 * differently: a sidecar speaks for its one file (precedence 30), REUSE.toml like a licence file (20),
 * and LICENSES/ only says which licences a project uses. Comment headers are read by `spdx-tag` and
 * `copyright`.
 */
export { reuseToml, readReuseToml, lastMatch, type ReuseTable } from './reuse-toml.js';
export { reuseSidecar, sidecarTarget } from './sidecar.js';
export { reuseLicences } from './licences-dir.js';
export { reuseGlob, type ReuseGlob } from './glob.js';
