import type { Finding } from '../schema/finding.js';

/**
 * Subtree and dataset findings, held by the folder they govern. Only markers' findings are held, so
 * memory grows with the number of markers, not of files.
 *
 * Resolution follows one rule for every kind of finding: for each group (the licence; each opt-out
 * protocol; every other code on its own), the nearest level that says something wins — the file
 * itself, then its folder, then each folder above, then the dataset. Farther findings of a group that
 * a nearer level already decided are kept, marked `shadowed`, so that nothing is hidden.
 */
export class ScopeIndex {
  readonly #byRoot = new Map<string, Finding[]>();
  readonly #dataset: Finding[] = [];
  readonly #forPath: (finding: Finding, path: string) => Finding | null;

  /** `forPath` lets the detector that made a finding say what it means for one path (see Detector.forPath). */
  constructor(forPath: (finding: Finding, path: string) => Finding | null = (f) => f) {
    this.#forPath = forPath;
  }

  add(finding: Finding): void {
    if (finding.scope.kind === 'file') return;
    if (finding.scope.kind === 'dataset') {
      this.#dataset.push(finding);
      return;
    }
    const root = normaliseRoot(finding.scope.root);
    const list = this.#byRoot.get(root);
    if (list) list.push(finding);
    else this.#byRoot.set(root, [finding]);
  }

  get size(): number {
    let n = this.#dataset.length;
    for (const list of this.#byRoot.values()) n += list.length;
    return n;
  }

  /** The file's own findings followed by the inherited ones, each level resolved against the nearer ones. */
  resolve(path: string, own: readonly Finding[]): Finding[] {
    const out: Finding[] = [...own];
    const decided = new Set(own.map(groupOf));
    for (const level of this.#levels(path)) {
      const here = new Set<string>();
      for (const marker of level) {
        // A marker's own subtree findings are already among its own.
        if (marker.evidence.path === path) continue;
        const f = this.#forPath(marker, path);
        if (f === null) continue;
        const group = groupOf(f);
        if (decided.has(group)) out.push({ ...f, inherited: true, shadowed: true });
        else {
          out.push({ ...f, inherited: true });
          here.add(group);
        }
      }
      for (const g of here) decided.add(g);
    }
    return out;
  }

  *#levels(path: string): Generator<Finding[]> {
    let dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    while (true) {
      const list = this.#byRoot.get(dir);
      if (list) yield list;
      if (dir === '') break;
      dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    }
    if (this.#dataset.length > 0) yield this.#dataset;
  }
}

/** Which findings compete for "nearest wins". */
export function groupOf(f: Finding): string {
  switch (f.category) {
    case 'licence':
      return 'licence';
    case 'opt-out':
      return `opt-out:${f.value.protocol}`;
    default:
      return f.code;
  }
}

function normaliseRoot(root: string): string {
  const r = root.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return r === '.' ? '' : r;
}
