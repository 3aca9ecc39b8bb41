/**
 * robots.txt as a statement about AI: which AI crawlers a site turns away from which paths, and what
 * rides in the file — IETF AIPREF `Content-Usage` preferences, Cloudflare `Content-Signal`s, and RSL
 * `License:` pointers. It is a site-level marker: a robots.txt at the dataset top or at the top of a
 * per-site folder (`sites/example.com/robots.txt`) governs the files below its folder, each by its
 * path below that folder (`sites/example.com/a/b.html` is `/a/b.html`).
 *
 * Reference: RFC 9309 (groups, product tokens, longest match, 500 KiB), draft-ietf-aipref-attach
 * (Content-Usage rule), draft-ietf-aipref-vocab (preferences), Cloudflare Content Signals Policy
 * (`Content-Signal: search=yes, ai-train=no`), RSL 1.0 (robots.txt `License:` record). How each
 * becomes a reservation is in evaluate.ts. The AI crawler tokens are data (ai-agents.json), each with
 * its source and date.
 *
 * Why not the robots-parser package: it matches rules the way RFC 9309 does, but it neither keeps the
 * groups nor the records it does not know (Content-Usage, Content-Signal, License) nor their line
 * numbers, and it matches full URLs of one host; all three are what this detector is about. The line
 * syntax (robots-syntax.ts) and matching (path-pattern.ts) are written from the RFC instead.
 *
 * ok:     `User-agent: GPTBot\nDisallow: /` → every file below: optout.robots.ai-agent, reserved yes
 * ok:     `User-agent: *\nAllow: /\nContent-Usage: / train-ai=n` → optout.aipref.robots, reserved yes
 * not-ok: `User-agent: *\nDisallow: /` → optout.robots.wildcard, reserved unknown (not about AI)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { Finding, FindingInput } from '../../schema/finding.js';
import { applied, BoundedCache, clip, lineEvidence, memoByFinding, ownPath } from '../optout-common/findings.js';
import { sitePath } from '../optout-common/path-pattern.js';
import { policyLocation } from '../optout-common/policy-url.js';
import { parseRobots } from '../optout-common/robots-syntax.js';
import { decodeText } from '../text.js';
import { AI_AGENTS } from './ai-agents.js';
import { agentGroups, usageGroups, type GroupData, type UsageGroupData } from './carriers.js';
import { compileAgents, compileUsage, groupWinners, usageVerdict, verdictOf, type CompiledRule, type UsageVerdict } from './evaluate.js';

const ID = 'robots-txt';
/** RFC 9309 §2.5: crawlers parse at least 500 KiB; Clearance reads that much and says when there is more. */
export const MAX_BYTES = 500 * 1024;
const ALL_TOKENS = AI_AGENTS.agents.map((a) => a.token);

export const robotsTxt = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'robots.txt groups for AI crawlers, AIPREF Content-Usage, Content-Signal and RSL License pointers, applied per path',
  match: { names: ['robots.txt'] },
  marker: true,
  wants: { head: MAX_BYTES },
  data: { 'ai-agents': AI_AGENTS.version },
  codes: {
    'optout.robots.groups': {
      title: 'robots.txt groups for AI crawlers',
      meaning: 'This robots.txt has groups that name AI crawlers or every crawler (`*`). This notice, on the robots.txt itself, lists them; each file below gets what they mean for its path as `optout.robots.ai-agent` or `optout.robots.wildcard`.',
      action: 'Nothing on its own: see the files it governs.',
    },
    'optout.robots.ai-agent': {
      title: 'robots.txt turns AI crawlers away from this path',
      meaning: 'Groups of the site\'s robots.txt that name AI crawlers disallow this file\'s path. Reserved yes when a training or dataset crawler or control token is disallowed (GPTBot, CCBot, Google-Extended, …, listed in `agents`); unknown when only AI search or assistant crawlers are; no when the groups naming AI crawlers allow the path.',
      action: 'Reserved yes: exclude the file, or get permission. Unknown: decide whether the crawlers named cover your use.',
    },
    'optout.robots.wildcard': {
      title: 'robots.txt disallows this path to every crawler',
      meaning: 'The `User-agent: *` group of the site\'s robots.txt disallows this path, and it governs AI crawlers that have no group of their own. A blanket Disallow keeps all crawlers out but says nothing about AI in particular, so it is reported as reserved: unknown, apart from AI-specific groups; the policy\'s `optOuts.unknown` decides what it means.',
      action: 'Decide whether a blanket Disallow counts as a reservation for your use; set `optOuts.unknown` accordingly.',
    },
    'optout.robots.content-usage': {
      title: 'AIPREF Content-Usage rules in robots.txt',
      meaning: 'This robots.txt carries IETF AIPREF `Content-Usage` rules. This notice, on the robots.txt itself, lists them; each file below gets the preference that covers its path as `optout.aipref.robots`.',
      action: 'Nothing on its own: see the files it governs.',
    },
    'optout.aipref.robots': {
      title: 'AIPREF usage preference for this path (robots.txt)',
      meaning: 'A `Content-Usage` rule of the site\'s robots.txt covers this path (longest path prefix, in a group that may crawl it). Reserved yes when it disallows AI training (`train-ai=n`, or a legacy label such as `train-genai=n`, `tdm=n`), no when it allows it, unknown when it cannot be read (a parse failure, a value other than y/n, disagreeing labels). Statements of several groups combine: the most restrictive wins.',
      action: 'Reserved yes: exclude the file from training sets. Unknown: read the rule (`rule`, `problems`) and decide.',
    },
    'optout.robots.content-signal': {
      title: 'Content-Signal lines in robots.txt',
      meaning: 'This robots.txt carries Cloudflare `Content-Signal` lines. This notice, on the robots.txt itself, lists them; each file below gets what they say about training as `optout.content-signal.robots`.',
      action: 'Nothing on its own: see the files it governs.',
    },
    'optout.content-signal.robots': {
      title: 'Content-Signal ai-train for this path',
      meaning: 'A `Content-Signal` line of the site\'s robots.txt says `ai-train=no` (reserved yes) or `ai-train=yes` (no) for this path; another value, or disagreeing lines, is unknown. Lines without `ai-train` state nothing about training.',
      action: 'Reserved yes: exclude the file from training sets.',
    },
    'optout.robots.rsl-license': {
      title: 'RSL licence pointer in robots.txt',
      meaning: 'The site\'s robots.txt names an RSL licence (`License: <url>`) that states the terms on which its content may be used by AI systems. `url` is the pointer; `licensePath` is the dataset file it names when it is below the site root. The rsl detector reads such a license.xml when it is in the dataset.',
      action: 'Read the licence terms; if the licence file is not in the dataset, fetch it and keep it with the scan.',
    },
    'optout.robots.truncated': {
      title: 'robots.txt longer than 500 KiB',
      meaning: 'Only the first 500 KiB of this robots.txt were read, as RFC 9309 lets crawlers do; rules past that point are not applied.',
      action: 'Check the rest of the file by hand if it may matter.',
    },
  },
  detect(input) {
    return detectRobots(input);
  },
  forPath(finding, path) {
    switch (finding.code) {
      case 'optout.robots.groups':
        return agentsFor(finding, path);
      case 'optout.robots.content-usage':
        return usageFor(finding, path, 'aipref');
      case 'optout.robots.content-signal':
        return usageFor(finding, path, 'content-signal');
      default:
        return finding;
    }
  },
});

function detectRobots(input: DetectorInput): FindingInput[] {
  const siteRoot = input.dir;
  const truncated = input.size > MAX_BYTES;
  let bytes = input.head.subarray(0, MAX_BYTES);
  if (truncated) {
    // Cut at the last line end, so that a rule is never read half.
    const nl = bytes.lastIndexOf(10);
    if (nl >= 0) bytes = bytes.subarray(0, nl + 1);
  }
  const file = parseRobots(decodeText(bytes));
  const out: FindingInput[] = [];
  const notice = (code: string, value: Record<string, unknown>, line = 1, severity: 'info' | 'warning' = 'info'): FindingInput => ({
    code,
    category: 'notice',
    detector: ID,
    severity,
    confidence: 1,
    value,
    evidence: { path: input.path, line },
    scope: { kind: 'subtree', root: siteRoot },
    url: findingUrl(code),
  });

  const agents = agentGroups(file);
  if (agents.groups.length > 0) {
    const named = [...new Set(agents.groups.flatMap((g) => g.ai.map((a) => a.token)))];
    out.push(notice('optout.robots.groups', { siteRoot, aiAgents: named, wildcard: agents.groups.some((g) => g.wildcard), groups: agents.groups, truncated: agents.truncated || truncated }, agents.groups[0]!.line));
  }
  for (const [key, code] of [['content-usage', 'optout.robots.content-usage'], ['content-signal', 'optout.robots.content-signal']] as const) {
    const groups = usageGroups(file, key);
    if (groups.length > 0) out.push(notice(code, { siteRoot, groups }, groups[0]!.usage[0]!.line));
  }
  for (const r of file.global.filter((g) => g.key === 'license').slice(0, 20)) {
    const loc = policyLocation(r.value, siteRoot, '/robots.txt', { absoluteAllowed: true });
    out.push({
      code: 'optout.robots.rsl-license',
      category: 'provenance',
      detector: ID,
      confidence: 1,
      value: { url: clip(r.value, 500), ...(loc ? { licensePath: loc.path, licenseHostChecked: loc.hostChecked } : {}) },
      evidence: lineEvidence(input.path, r.line, r.text),
      scope: { kind: 'subtree', root: siteRoot },
      url: findingUrl('optout.robots.rsl-license'),
    });
  }
  // robots.txt is a file of its site too: `Content-Usage: / train-ai=n` covers /robots.txt (which
  // RFC 9309 always lets crawlers fetch, so no group can disallow it).
  for (const c of [...out]) out.push(...ownPath(c, (f, p) => robotsTxt.forPath!(f, p), input.path).filter((f) => f.category === 'opt-out'));
  if (truncated) {
    out.push({ ...notice('optout.robots.truncated', { read: bytes.length, size: input.size }, file.lines, 'warning'), scope: { kind: 'file', root: input.path } });
  }
  return out;
}

const compiledAgents = memoByFinding((f) => {
  const v = f.value as { siteRoot: string; groups: GroupData[] };
  // Files whose paths the same rules win for get the same finding: built once, shared.
  return { siteRoot: v.siteRoot, compiled: compileAgents(v.groups, ALL_TOKENS), byWinners: new BoundedCache<string, Finding | null>() };
});

function ruleText(rule: CompiledRule): string {
  return `${rule.allow ? 'Allow' : 'Disallow'}: ${rule.pattern.source}`;
}

function agentsFor(f: Finding, path: string): Finding | null {
  const { siteRoot, compiled, byWinners } = compiledAgents(f);
  const sp = sitePath(siteRoot, path);
  if (sp === null || sp === '/robots.txt') return null;
  const winners = groupWinners(compiled, sp);
  // A rule's line identifies it within the file.
  const key = winners.map((w) => (w === null ? '' : w.line)).join(',');
  return byWinners.get(key, () => agentsFinding(f, verdictOf(compiled, winners)));
}

function agentsFinding(f: Finding, v: ReturnType<typeof verdictOf>): Finding | null {
  if (v === null) return null;
  const base = { protocol: 'robots', level: 'site' as const };
  switch (v.kind) {
    case 'training-disallowed':
    case 'other-disallowed': {
      const training = v.kind === 'training-disallowed';
      return applied(f, {
        ...base,
        code: 'optout.robots.ai-agent',
        reserved: training ? 'yes' : 'unknown',
        rule: `User-agent: ${listed(v.agents)}; ${ruleText(v.rule)}`,
        evidence: lineEvidence(f.evidence.path, v.rule.line, ruleText(v.rule)),
        confidence: training ? 0.9 : 0.6,
        extra: { agents: v.agents.slice(0, 50), ...(training ? {} : { note: 'only AI search or assistant crawlers are disallowed' }) },
      });
    }
    case 'wildcard-disallowed':
      return applied(f, {
        ...base,
        code: 'optout.robots.wildcard',
        reserved: 'unknown',
        rule: `User-agent: *; ${ruleText(v.rule)}`,
        evidence: lineEvidence(f.evidence.path, v.rule.line, ruleText(v.rule)),
        confidence: 0.5,
      });
    case 'allowed':
      return applied(f, {
        ...base,
        code: 'optout.robots.ai-agent',
        reserved: 'no',
        rule: `User-agent: ${listed(v.agents)}; ${v.rule ? ruleText(v.rule) : 'no rule disallows'}`,
        evidence: lineEvidence(f.evidence.path, v.rule?.line ?? f.evidence.line, v.rule ? ruleText(v.rule) : undefined),
        confidence: 0.8,
        extra: { agents: v.agents.slice(0, 50) },
      });
  }
}

function listed(agents: readonly string[]): string {
  return agents.length > 5 ? `${agents.slice(0, 5).join(', ')} and ${agents.length - 5} more` : agents.join(', ');
}

const compiledUsage = memoByFinding((f) => {
  const v = f.value as { siteRoot: string; groups: UsageGroupData[] };
  return { siteRoot: v.siteRoot, groups: compileUsage(v.groups), byStatements: new BoundedCache<string, Finding>() };
});

function usageFor(f: Finding, path: string, protocol: 'aipref' | 'content-signal'): Finding | null {
  const { siteRoot, groups, byStatements } = compiledUsage(f);
  const sp = sitePath(siteRoot, path);
  if (sp === null) return null;
  // AIPREF: preferences only attach to what the group may crawl; Content-Signal makes no such rule.
  const v = usageVerdict(groups, sp, { crawlableOnly: protocol === 'aipref' });
  if (v === null) return null;
  const key = `${v.training}:${v.decisive.map((d) => d.data.line).join(',')}`;
  return byStatements.get(key, () => usageFinding(f, v, protocol));
}

function usageFinding(f: Finding, v: UsageVerdict, protocol: 'aipref' | 'content-signal'): Finding {
  const first = v.decisive[0]!;
  const key = protocol === 'aipref' ? 'Content-Usage' : 'Content-Signal';
  const who = first.orphan ? '(before any user-agent)' : `User-agent: ${listed(first.agents)}`;
  const reserved = v.training === 'disallowed' ? 'yes' : v.training === 'allowed' ? 'no' : 'unknown';
  const problems = [...new Set(v.decisive.flatMap((d) => d.data.problems ?? []))];
  if (first.orphan) problems.push('written before any user-agent line');
  return applied(f, {
    code: protocol === 'aipref' ? 'optout.aipref.robots' : 'optout.content-signal.robots',
    protocol,
    reserved,
    level: 'site',
    rule: `${who}; ${key}: ${first.data.text}`,
    evidence: lineEvidence(f.evidence.path, first.data.line, `${key}: ${first.data.text}`),
    confidence: reserved === 'unknown' ? 0.5 : 0.9,
    severity: reserved === 'unknown' ? 'warning' : 'info',
    extra: { training: v.training, ...(problems.length > 0 ? { problems } : {}) },
  });
}
