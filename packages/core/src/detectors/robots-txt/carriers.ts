/**
 * What a robots.txt says about AI, kept in the detector's carrier findings: the groups that name AI
 * crawlers or every crawler (`*`) with their Allow/Disallow rules, and the usage statements that ride
 * in robots.txt — IETF AIPREF `Content-Usage` and Cloudflare `Content-Signal` — with the paths they
 * cover. Plain data (JSON), so that it survives the engine's validation and forPath can compile it.
 */
import { parseUsagePreferences, type TrainingPreference } from '../optout-common/aipref.js';
import { clip } from '../optout-common/findings.js';
import type { RobotsFile, RobotsGroup, RobotsRecord } from '../optout-common/robots-syntax.js';
import { AI_AGENTS, type AgentUse } from './ai-agents.js';

/** Most Allow/Disallow rules kept per carrier; a longer file is read in part and says so. */
export const MAX_RULES = 5000;

export interface RuleData {
  allow: boolean;
  pattern: string;
  line: number;
}

/** A group as kept: which crawlers, its rules, and the usage statements in it. */
export interface GroupData {
  /** User-agent values as written. */
  agents: string[];
  /** Listed AI tokens the group names, with their use. */
  ai: { token: string; use: AgentUse }[];
  wildcard: boolean;
  line: number;
  rules: RuleData[];
}

/** One `Content-Usage` or `Content-Signal` statement. */
export interface UsageData {
  /** The path prefix it covers (`/` when the statement gives none). */
  path: string;
  training: TrainingPreference;
  /** The statement as written, clipped. */
  text: string;
  line: number;
  problems?: string[];
}

export interface UsageGroupData extends GroupData {
  usage: UsageData[];
  /** True for statements written before any user-agent line. */
  orphan?: boolean;
}

const AGENTS = new Map(AI_AGENTS.agents.map((a) => [a.token.toLowerCase(), a]));

/** The AI tokens a group names. */
function aiOf(group: RobotsGroup): { token: string; use: AgentUse }[] {
  const out: { token: string; use: AgentUse }[] = [];
  for (const t of group.agents) {
    const a = AGENTS.get(t);
    if (a) out.push({ token: a.token, use: a.use });
  }
  return out;
}

function groupData(group: RobotsGroup, budget: { rules: number }): GroupData {
  const rules = group.rules.slice(0, Math.max(0, budget.rules)).map((r) => ({ allow: r.allow, pattern: r.pattern.source, line: r.line }));
  budget.rules -= rules.length;
  return { agents: group.agentsWritten.map((a) => clip(a, 80)), ai: aiOf(group), wildcard: group.agents.includes('*'), line: group.line, rules };
}

/** The groups that speak to AI crawlers or to every crawler; `truncated` when rules were dropped. */
export function agentGroups(file: RobotsFile): { groups: GroupData[]; truncated: boolean } {
  const budget = { rules: MAX_RULES };
  const relevant = file.groups.filter((g) => g.agents.includes('*') || g.agents.some((t) => AGENTS.has(t)));
  const total = relevant.reduce((n, g) => n + g.rules.length, 0);
  return { groups: relevant.map((g) => groupData(g, budget)), truncated: total > MAX_RULES };
}

/**
 * The groups holding `key` statements (`content-usage` or `content-signal`), each with its rules (a
 * Content-Usage statement applies only to paths its group may crawl), plus statements written before
 * any group.
 */
export function usageGroups(file: RobotsFile, key: 'content-usage' | 'content-signal'): UsageGroupData[] {
  const budget = { rules: MAX_RULES };
  const read = key === 'content-usage' ? readContentUsage : readContentSignal;
  const out: UsageGroupData[] = [];
  for (const g of file.groups) {
    const records = g.records.filter((r) => r.key === key);
    if (records.length > 0) out.push({ ...groupData(g, budget), usage: records.slice(0, 200).map(read) });
  }
  const orphans = file.orphans.filter((r) => r.key === key);
  if (orphans.length > 0) {
    out.push({ agents: [], ai: [], wildcard: true, line: orphans[0]!.line, rules: [], usage: orphans.slice(0, 200).map(read), orphan: true });
  }
  return out;
}

/** Splits `[path] preference`: a value starting with `/` begins with the path it covers. */
function splitPath(value: string): { path: string; pref: string; problems: string[] } {
  if (value.startsWith('/')) {
    const m = /^(\S+)[ \t]*(.*)$/.exec(value)!;
    return { path: m[1]!, pref: m[2]!, problems: [] };
  }
  return { path: '/', pref: value, problems: ['no path: read as covering the whole site (the form of earlier drafts)'] };
}

/**
 * `Content-Usage: [path] <AIPREF preferences>`.
 * Reference: draft-ietf-aipref-attach §"Robots Exclusion Protocol Content-Usage Rule".
 */
function readContentUsage(r: RobotsRecord): UsageData {
  const { path, pref, problems } = splitPath(r.value);
  const p = parseUsagePreferences(pref);
  const all = [...problems, ...p.problems];
  return { path, training: p.training, text: clip(r.value, 200), line: r.line, ...(all.length > 0 ? { problems: all } : {}) };
}

/**
 * `Content-Signal: [path] search=yes, ai-train=no, ai-input=no` — Cloudflare's Content Signals Policy:
 * `ai-train` is the training signal, `yes` / `no` its values; a signal left out states nothing.
 */
function readContentSignal(r: RobotsRecord): UsageData {
  const { path, pref, problems } = splitPath(r.value);
  let training: TrainingPreference = 'none';
  for (const part of pref.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim().toLowerCase();
    if (key !== 'ai-train') continue;
    const t: TrainingPreference = value === 'no' ? 'disallowed' : value === 'yes' ? 'allowed' : 'unreadable';
    if (t === 'unreadable') problems.push(`ai-train=${clip(value, 20)} is neither yes nor no`);
    // A repeated signal that disagrees is a conflict, not "the last one wins".
    training = training === 'none' || training === t ? t : 'conflict';
  }
  return { path, training, text: clip(r.value, 200), line: r.line, ...(problems.length > 0 ? { problems } : {}) };
}
