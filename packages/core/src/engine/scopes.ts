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
  readonly #precedence: (finding: Finding) => number;
  /** For the index of a container's members: the enclosing index, and the container's path in it. */
  #parent: { index: ScopeIndex; path: string } | null = null;
  /** Record path prefix of a container's members (`a/shard.tar#`); '' at the top. */
  #prefix = '';
  /** The container's own licence and opt-out statements, which govern its members below any marker inside it. */
  #container: Finding[] = [];

  /**
   * `forPath` lets the detector that made a finding say what it means for one path (Detector.forPath);
   * `precedence` ranks findings of one group at one level (Detector.precedence).
   */
  constructor(options: { forPath?: (finding: Finding, path: string) => Finding | null; precedence?: (finding: Finding) => number } = {}) {
    this.#forPath = options.forPath ?? ((f) => f);
    this.#precedence = options.precedence ?? (() => 0);
  }

  /**
   * The index for the members of a container at `containerPath` (whose members' paths start with
   * `prefix`). Markers inside the container are added to it and forgotten with it; resolution walks
   * the container's folders, then the container's own statements (`own`: a licence in its object
   * metadata, say), then everything that governs the container itself.
   */
  child(prefix: string, containerPath: string, own: readonly Finding[]): ScopeIndex {
    const c = new ScopeIndex({ forPath: this.#forPath, precedence: this.#precedence });
    c.#parent = { index: this, path: containerPath };
    c.#prefix = prefix;
    c.#container = own
      .filter((f) => (f.category === 'licence' || f.category === 'opt-out') && f.inherited !== true && f.shadowed !== true)
      .map((f) => ({ ...f, scope: { kind: 'subtree' as const, root: prefix } }));
    return c;
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

  /** Orders each level's findings by path and code, so that records do not depend on the order markers finished in. */
  seal(): void {
    const order = (a: Finding, b: Finding) => compare(a.evidence.path, b.evidence.path) || compare(a.code, b.code) || (a.evidence.byteOffset ?? 0) - (b.evidence.byteOffset ?? 0);
    for (const list of this.#byRoot.values()) list.sort(order);
    this.#dataset.sort(order);
  }

  get size(): number {
    let n = this.#dataset.length;
    for (const list of this.#byRoot.values()) n += list.length;
    return n;
  }

  /** The file's own findings followed by the inherited ones, each level resolved against the nearer ones. */
  resolve(path: string, own: readonly Finding[]): Finding[] {
    const out: Finding[] = [...this.#rank(own)];
    const decided = new Set(own.map(groupOf));
    for (const level of this.#levels(path)) {
      const applicable: Finding[] = [];
      for (const marker of level) {
        // A marker's own subtree findings are already among its own.
        if (marker.evidence.path === path) continue;
        const f = this.#forPath(marker, path);
        if (f !== null) applicable.push({ ...f, inherited: true });
      }
      const here = new Set<string>();
      for (const f of this.#rank(applicable)) {
        const group = groupOf(f);
        if (decided.has(group)) out.push({ ...f, shadowed: true });
        else {
          out.push(f);
          if (f.shadowed !== true) here.add(group);
        }
      }
      for (const g of here) decided.add(g);
    }
    return out;
  }

  /**
   * Within one level, a group's findings of lower precedence are shadowed by its highest: a folder's
   * licence file outranks the dataset card beside it (see Detector.precedence).
   */
  #rank(findings: readonly Finding[]): Finding[] {
    if (findings.length < 2) return [...findings];
    const best = new Map<string, number>();
    for (const f of findings) {
      const g = groupOf(f);
      best.set(g, Math.max(best.get(g) ?? -Infinity, this.#precedence(f)));
    }
    return findings.map((f) => (this.#precedence(f) < best.get(groupOf(f))! ? { ...f, shadowed: true } : f));
  }

  *#levels(path: string): Generator<Finding[]> {
    const prefix = this.#prefix;
    const rel = path.startsWith(prefix) ? path.slice(prefix.length) : path;
    let dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    while (true) {
      const list = this.#byRoot.get(prefix + dir);
      if (list) yield list;
      if (dir === '') break;
      dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    }
    if (this.#dataset.length > 0) yield this.#dataset;
    if (this.#parent) {
      if (this.#container.length > 0) yield this.#container;
      yield* this.#parent.index.#levels(this.#parent.path);
    }
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

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function normaliseRoot(root: string): string {
  const r = root.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return r === '.' ? '' : r;
}
