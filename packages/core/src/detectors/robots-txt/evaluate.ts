/**
 * What a robots.txt means for one path, from the data its carriers hold.
 *
 * Reference: RFC 9309 §2.2.1 (a crawler obeys the groups that name its product token, merged; without
 * one, the `*` group; without that, nothing), §2.2.2 (the longest matching rule wins; an Allow and a
 * Disallow of equal length: Allow; `/robots.txt` is always allowed); draft-ietf-aipref-attach
 * (Content-Usage applies, by longest path prefix, only to paths the group may crawl; statements with
 * equal paths combine, the most restrictive winning, as draft-ietf-aipref-vocab §"Combining
 * Preferences" says).
 *
 * Decisions, for a dataset whose crawler is not known:
 * - a group naming a training or dataset crawler (GPTBot, CCBot, Google-Extended, …) that disallows
 *   the path → reserved `yes` (those are the crawlers and control tokens that exist to opt out of
 *   training);
 * - else the `*` group disallows the path for the listed AI crawlers it governs → reserved `unknown`,
 *   `optout.robots.wildcard`: a blanket Disallow keeps every crawler out, it does not say anything
 *   about AI, and whether it reserves mining is for the policy (`optOuts.unknown`) to decide;
 * - else a group naming only other AI crawlers (AI search, assistants) disallows it → `unknown`;
 * - else groups naming AI crawlers allow it → `no`; otherwise robots.txt says nothing about AI (null).
 * Content-Usage and Content-Signal statements of every group combine the same way: any statement that
 * disallows training → `yes`; one that cannot be read or disagrees → `unknown`; all allow → `no`.
 */
import { canonicalPath, compilePattern, type PathPattern } from '../optout-common/path-pattern.js';
import type { TrainingPreference } from '../optout-common/aipref.js';
import type { GroupData, RuleData, UsageData, UsageGroupData } from './carriers.js';

export interface CompiledRule {
  allow: boolean;
  pattern: PathPattern;
  line: number;
}

/** The winning rule of a rule set for a canonical path, or null when none matches (allowed). */
export function decide(rules: readonly CompiledRule[], canonical: string): CompiledRule | null {
  let best: CompiledRule | null = null;
  for (const r of rules) {
    if (!r.pattern.matches(canonical)) continue;
    if (best === null || r.pattern.length > best.pattern.length || (r.pattern.length === best.pattern.length && r.allow && !best.allow)) best = r;
  }
  return best;
}

export function compileRules(rules: readonly RuleData[]): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const r of rules) {
    const pattern = compilePattern(r.pattern);
    if (pattern) out.push({ allow: r.allow, pattern, line: r.line });
  }
  return out;
}

/** An AI crawler and the groups that name it (RFC 9309 merges their rules). */
interface AgentGroups {
  token: string;
  use: string;
  /** Indexes into {@link CompiledAgents.groups}. */
  groups: number[];
}

export interface CompiledAgents {
  /** Each group's rules, compiled once. */
  groups: CompiledRule[][];
  agents: AgentGroups[];
  /** Indexes of the `*` groups; empty when there is none. */
  wildcard: number[];
  /** Whether some listed AI crawler has no group of its own (so the `*` group governs it). */
  wildcardGoverns: boolean;
}

export function compileAgents(groups: readonly GroupData[], allTokens: readonly string[]): CompiledAgents {
  const byToken = new Map<string, AgentGroups>();
  const compiled: CompiledRule[][] = [];
  const wildcard: number[] = [];
  groups.forEach((g, i) => {
    compiled.push(compileRules(g.rules));
    if (g.wildcard) wildcard.push(i);
    for (const a of g.ai) {
      const key = a.token.toLowerCase();
      const entry = byToken.get(key);
      if (entry) entry.groups.push(i);
      else byToken.set(key, { token: a.token, use: a.use, groups: [i] });
    }
  });
  return { groups: compiled, agents: [...byToken.values()], wildcard, wildcardGoverns: allTokens.some((t) => !byToken.has(t.toLowerCase())) };
}

/** The better of two winning rules: the longer pattern, Allow on a tie (RFC 9309 §2.2.2). */
function better(a: CompiledRule | null, b: CompiledRule | null): CompiledRule | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.pattern.length > a.pattern.length || (b.pattern.length === a.pattern.length && b.allow && !a.allow) ? b : a;
}

export type AgentsVerdict =
  | { kind: 'training-disallowed' | 'other-disallowed'; agents: string[]; rule: CompiledRule }
  | { kind: 'wildcard-disallowed'; rule: CompiledRule }
  | { kind: 'allowed'; agents: string[]; rule: CompiledRule | null }
  | null;

/**
 * What the AI groups of a robots.txt say about one site path. Each group is matched once per path,
 * and a crawler named by several groups takes the best of their winners — the same as matching
 * their merged rules — so the cost grows with the groups, not with the crawlers they name.
 */
export function agentsVerdict(c: CompiledAgents, sitePath: string): AgentsVerdict {
  if (sitePath === '/robots.txt') return null;
  return verdictOf(c, groupWinners(c, sitePath));
}

/** The winning rule of each group for a site path (null: no rule matches). */
export function groupWinners(c: CompiledAgents, sitePath: string): (CompiledRule | null)[] {
  const canonical = canonicalPath(sitePath);
  return c.groups.map((rules) => decide(rules, canonical));
}

/** The verdict for a path whose group winners are known; paths with the same winners share it. */
export function verdictOf(c: CompiledAgents, winners: readonly (CompiledRule | null)[]): AgentsVerdict {
  const training: string[] = [];
  const other: string[] = [];
  const allowed: string[] = [];
  let trainingRule: CompiledRule | null = null;
  let otherRule: CompiledRule | null = null;
  let allowRule: CompiledRule | null = null;
  for (const a of c.agents) {
    let r: CompiledRule | null = null;
    for (const g of a.groups) r = better(r, winners[g]!);
    if (r !== null && !r.allow) {
      if (a.use === 'ai-other') {
        other.push(a.token);
        otherRule ??= r;
      } else {
        training.push(a.token);
        trainingRule ??= r;
      }
    } else {
      allowed.push(a.token);
      allowRule ??= r;
    }
  }
  if (trainingRule) return { kind: 'training-disallowed', agents: training, rule: trainingRule };
  if (c.wildcard.length > 0 && c.wildcardGoverns) {
    let r: CompiledRule | null = null;
    for (const g of c.wildcard) r = better(r, winners[g]!);
    if (r !== null && !r.allow) return { kind: 'wildcard-disallowed', rule: r };
  }
  if (otherRule) return { kind: 'other-disallowed', agents: other, rule: otherRule };
  if (allowed.length > 0) return { kind: 'allowed', agents: allowed, rule: allowRule };
  return null;
}

interface CompiledUsage {
  pattern: PathPattern;
  data: UsageData;
}

export interface CompiledUsageGroup {
  agents: string[];
  orphan: boolean;
  rules: CompiledRule[];
  usage: CompiledUsage[];
}

export function compileUsage(groups: readonly UsageGroupData[]): CompiledUsageGroup[] {
  return groups.map((g) => ({
    agents: g.agents,
    orphan: g.orphan === true,
    rules: compileRules(g.rules),
    usage: g.usage.flatMap((u) => {
      const pattern = compilePattern(u.path);
      return pattern ? [{ pattern, data: u }] : [];
    }),
  }));
}

export interface UsageVerdict {
  training: Exclude<TrainingPreference, 'none'>;
  /** The statements that decided it, most restrictive first, with the agents of their groups. */
  decisive: { data: UsageData; agents: string[]; orphan: boolean }[];
}

const RANK: Record<TrainingPreference, number> = { disallowed: 4, conflict: 3, unreadable: 2, allowed: 1, none: 0 };

/**
 * What the usage statements of every group say about training for one site path: in each group the
 * longest path prefix (equal ones combined), skipping groups that may not crawl the path when
 * `crawlableOnly`; then the most restrictive over the groups.
 */
export function usageVerdict(groups: readonly CompiledUsageGroup[], sitePath: string, options: { crawlableOnly: boolean }): UsageVerdict | null {
  const canonical = canonicalPath(sitePath);
  let best: UsageVerdict | null = null;
  for (const g of groups) {
    if (options.crawlableOnly) {
      const r = decide(g.rules, canonical);
      if (r !== null && !r.allow) continue;
    }
    let longest = -1;
    let here: CompiledUsage[] = [];
    for (const u of g.usage) {
      if (!u.pattern.matches(canonical)) continue;
      if (u.pattern.length > longest) {
        longest = u.pattern.length;
        here = [u];
      } else if (u.pattern.length === longest) here.push(u);
    }
    for (const u of here) {
      const t = u.data.training;
      if (t === 'none') continue;
      const entry = { data: u.data, agents: g.agents, orphan: g.orphan };
      if (best === null || RANK[t] > RANK[best.training]) best = { training: t, decisive: [entry] };
      else if (RANK[t] === RANK[best.training]) best.decisive.push(entry);
    }
  }
  return best;
}
