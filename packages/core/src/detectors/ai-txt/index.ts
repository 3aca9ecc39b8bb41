/**
 * Spawning ai.txt: a site-level file in robots.txt syntax whose rules say which of the site's files
 * (usually by type: `Disallow: *.jpg`) may be used for AI training. It is a marker: an ai.txt at the
 * dataset top or at a per-site folder's top governs the files below its folder, each by its path
 * below that folder.
 *
 * Reference: Spawning's ai.txt (site.spawning.ai, "robots.txt-like" `User-Agent` / `Allow` /
 * `Disallow` lines with robots.txt wildcards); the line syntax and matching are RFC 9309's (longest
 * match wins, Allow wins a tie). Unlike robots.txt, every group of an ai.txt is about AI, the `*`
 * group included, so any group that disallows a path reserves it.
 *
 * Patterns here name file types more than paths, so they are matched without regard to case (`*.jpg`
 * also covers `IMG_1.JPG`): a reservation is then over-read rather than missed. As in robots.txt,
 * `*.jpg` without `$` also matches `a.jpg.html`.
 *
 * ok:     `User-Agent: *\nDisallow: *.png` → photos/a.PNG reserved yes; notes.txt: nothing
 * ok:     `User-Agent: *\nDisallow: /\nAllow: /public/` → public/a.txt reserved no
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import type { Finding, FindingInput } from '../../schema/finding.js';
import { applied, lineEvidence, memoByFinding, ownPath } from '../optout-common/findings.js';
import { canonicalPath, compilePattern, sitePath, type PathPattern } from '../optout-common/path-pattern.js';
import { parseRobots } from '../optout-common/robots-syntax.js';
import { decodeText } from '../text.js';

const ID = 'ai-txt';
const MAX_BYTES = 500 * 1024;
const MAX_RULES = 5000;

interface GroupValue {
  agents: string[];
  line: number;
  rules: { allow: boolean; pattern: string; line: number }[];
}

export const aiTxt = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Spawning ai.txt rules (robots.txt syntax, about AI use), applied per path',
  match: { names: ['ai.txt'] },
  marker: true,
  wants: { head: MAX_BYTES },
  codes: {
    'optout.ai-txt.rules': {
      title: 'Spawning ai.txt rules',
      meaning: 'An ai.txt states which files of the site rooted at its folder may be used for AI training. This notice, on the ai.txt itself, lists its groups and rules; each file below gets the rule that matches it as `optout.ai-txt.path`.',
      action: 'Nothing on its own: see the files it governs.',
    },
    'optout.ai-txt.path': {
      title: 'Spawning ai.txt rule matches this file',
      meaning: 'The longest ai.txt rule matching this file\'s path (matched without regard to case) disallows it (reserved: yes) or allows it (reserved: no). A file no rule matches gets nothing from the ai.txt.',
      action: 'Reserved yes: exclude the file from training sets.',
    },
  },
  detect(input) {
    const truncated = input.size > MAX_BYTES;
    let bytes = input.head.subarray(0, MAX_BYTES);
    if (truncated) bytes = bytes.subarray(0, bytes.lastIndexOf(10) + 1);
    const file = parseRobots(decodeText(bytes));
    let budget = MAX_RULES;
    const groups: GroupValue[] = [];
    for (const g of file.groups) {
      const rules = g.rules.slice(0, Math.max(0, budget)).map((r) => ({ allow: r.allow, pattern: r.pattern.source, line: r.line }));
      budget -= rules.length;
      if (rules.length > 0) groups.push({ agents: g.agentsWritten, line: g.line, rules });
    }
    if (groups.length === 0) return [];
    const carrier: FindingInput = {
        code: 'optout.ai-txt.rules',
        category: 'notice',
        detector: ID,
        confidence: 1,
        value: { siteRoot: input.dir, groups, truncated: truncated || budget < 0 },
        evidence: { path: input.path, line: groups[0]!.line },
        scope: { kind: 'subtree', root: input.dir },
        url: findingUrl('optout.ai-txt.rules'),
      };
    // The ai.txt is a file of its site too: `Disallow: /` covers it.
    return [carrier, ...ownPath(carrier, ruleFor, input.path)];
  },
  forPath(finding, path) {
    if (finding.code !== 'optout.ai-txt.rules') return finding;
    return ruleFor(finding, path);
  },
});

interface Rule {
  allow: boolean;
  pattern: PathPattern;
  line: number;
  agents: string[];
}

/** Case is folded on both sides before the canonical form, so that percent-escapes stay comparable. */
const fold = (s: string) => canonicalPath(s.toLowerCase());

const compile = memoByFinding((f) => {
  const v = f.value as { siteRoot: string; groups: GroupValue[] };
  const rules: Rule[] = [];
  for (const g of v.groups) {
    for (const r of g.rules) {
      const pattern = compilePattern(r.pattern.toLowerCase());
      if (pattern) rules.push({ allow: r.allow, pattern: { ...pattern, source: r.pattern }, line: r.line, agents: g.agents });
    }
  }
  // What each rule gives does not depend on the path: built once per rule.
  return { siteRoot: v.siteRoot, rules, given: new Map<Rule, Finding>() };
});

function ruleFor(f: Finding, path: string): Finding | null {
  const { siteRoot, rules, given } = compile(f);
  const sp = sitePath(siteRoot, path);
  if (sp === null) return null;
  const canonical = fold(sp);
  // Every group speaks about AI: a Disallow in any of them reserves the path.
  let disallow: Rule | null = null;
  let allow: Rule | null = null;
  const byGroup = new Map<string[], Rule>();
  for (const r of rules) {
    if (!r.pattern.matches(canonical)) continue;
    const best = byGroup.get(r.agents);
    if (!best || r.pattern.length > best.pattern.length || (r.pattern.length === best.pattern.length && r.allow && !best.allow)) byGroup.set(r.agents, r);
  }
  for (const r of byGroup.values()) {
    if (r.allow) allow ??= r;
    else disallow ??= r;
  }
  const rule = disallow ?? allow;
  if (!rule) return null;
  let out = given.get(rule);
  if (!out) {
    out = ruleFinding(f, rule);
    given.set(rule, out);
  }
  return out;
}

function ruleFinding(f: Finding, rule: Rule): Finding {
  const text = `${rule.allow ? 'Allow' : 'Disallow'}: ${rule.pattern.source}`;
  return applied(f, {
    code: 'optout.ai-txt.path',
    protocol: 'ai-txt',
    reserved: rule.allow ? 'no' : 'yes',
    level: 'site',
    rule: `User-Agent: ${rule.agents.join(', ')}; ${text}`,
    evidence: lineEvidence(f.evidence.path, rule.line, text),
    confidence: 0.85,
  });
}
