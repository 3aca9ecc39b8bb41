/**
 * The line syntax of robots.txt and the files that copy it (Spawning ai.txt): `key: value` records,
 * `#` comments, groups of `user-agent` lines followed by rules. It only splits a file into groups and
 * records with their line numbers; what the rules mean is each detector's business.
 *
 * Reference: RFC 9309 §2.1 (groups: one or more user-agent lines followed by rules; a user-agent line
 * after a rule starts a new group), §2.2 (records, comments, case-insensitive keys), §2.2.1 (product
 * tokens, case-insensitive), §2.5 (crawlers parse at least 500 KiB). `sitemap` and RSL `license` are
 * records of the whole file, not of a group, and do not break a group (as major crawlers read them).
 *
 * ok:     "User-agent: GPTBot\nDisallow: /" → one group for gptbot with one disallow rule at line 2
 * not-ok: "Disallow: /" before any user-agent line → kept in `orphans`, governs no crawler
 */
import { compilePattern, type PathPattern } from './path-pattern.js';

/** One `key: value` line. */
export interface RobotsRecord {
  /** Lower-case key. */
  key: string;
  /** The value, comment removed, trimmed. */
  value: string;
  /** 1-based line number. */
  line: number;
  /** The line as written (comment included), for evidence excerpts. */
  text: string;
}

/** An Allow or Disallow rule of a group. */
export interface RobotsRule {
  allow: boolean;
  pattern: PathPattern;
  line: number;
  text: string;
}

/** A group: the crawlers it names and what it says to them. */
export interface RobotsGroup {
  /** Product tokens as matched: lower-case, up to the first space or `/` (`GPTBot/1.1` → `gptbot`). `*` for the wildcard. */
  agents: string[];
  /** The user-agent values as written. */
  agentsWritten: string[];
  /** Line of the group's first user-agent line. */
  line: number;
  rules: RobotsRule[];
  /** Other records inside the group (content-usage, content-signal, crawl-delay, …), in order. */
  records: RobotsRecord[];
}

/** A parsed file. */
export interface RobotsFile {
  groups: RobotsGroup[];
  /** Records of the whole file (`sitemap`, `license`). */
  global: RobotsRecord[];
  /** Rules and records that came before any user-agent line: no crawler is bound by them (RFC 9309 §2.1). */
  orphans: RobotsRecord[];
  /** Lines read. */
  lines: number;
}

/** Keys that are records of the whole file rather than of a group. */
const GLOBAL_KEYS = new Set(['sitemap', 'license']);
/** Most lines parsed, whatever the byte limit let through: bounds the work on a file of empty lines. */
const MAX_LINES = 200_000;

/** Product token of a user-agent value, lower-cased: the part that crawlers match. */
export function productToken(value: string): string {
  const m = /^[^\s/]+/.exec(value.trim());
  return (m ? m[0] : '').toLowerCase();
}

/** Splits robots-style text into groups and records. Never throws; stops after {@link MAX_LINES} lines. */
export function parseRobots(text: string): RobotsFile {
  const out: RobotsFile = { groups: [], global: [], orphans: [], lines: 0 };
  let current: RobotsGroup | null = null;
  // True while the current group is still collecting user-agent lines.
  let inAgents = false;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (start <= text.length && lineNo < MAX_LINES) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    const raw = text.slice(start, end);
    lineNo++;
    // CRLF counts as one line end.
    start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    const hash = raw.indexOf('#');
    const body = hash >= 0 ? raw.slice(0, hash) : raw;
    const colon = body.indexOf(':');
    if (colon < 0) continue;
    const key = body.slice(0, colon).trim().toLowerCase();
    const value = body.slice(colon + 1).trim();
    if (key === '') continue;
    const record: RobotsRecord = { key, value, line: lineNo, text: raw };
    if (key === 'user-agent') {
      if (!current || !inAgents) {
        current = { agents: [], agentsWritten: [], line: lineNo, rules: [], records: [] };
        out.groups.push(current);
        inAgents = true;
      }
      const token = productToken(value);
      if (token !== '') {
        current.agents.push(token);
        current.agentsWritten.push(value);
      }
      continue;
    }
    if (GLOBAL_KEYS.has(key)) {
      out.global.push(record);
      continue;
    }
    if (!current) {
      out.orphans.push(record);
      continue;
    }
    inAgents = false;
    if (key === 'allow' || key === 'disallow') {
      const pattern = compilePattern(value);
      // An empty Disallow allows everything, and an empty Allow says nothing: neither is a rule.
      if (pattern) current.rules.push({ allow: key === 'allow', pattern, line: lineNo, text: raw });
    } else current.records.push(record);
  }
  out.lines = lineNo;
  return out;
}

/** The groups that name `token` (lower-case), merged as RFC 9309 §2.2.1 requires; empty when none does. */
export function groupsFor(file: RobotsFile, token: string): RobotsGroup[] {
  return file.groups.filter((g) => g.agents.includes(token));
}
