import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ClearanceError, PolicyError } from '../errors.js';
import { PolicySchema, type Policy, type PolicyInput } from './schema.js';

/** A validated policy with where it came from and a hash of its canonical form, for the Summary. */
export interface ResolvedPolicy {
  policy: Policy;
  origin: string;
  sha256: string;
}

/** Validates a policy object; throws {@link PolicyError} listing every problem with its field path. */
export function resolvePolicy(input: PolicyInput | undefined, origin = 'built-in default'): ResolvedPolicy {
  const parsed = PolicySchema.safeParse(input ?? {});
  if (!parsed.success) throw new PolicyError(`policy from ${origin} is not valid`, formatIssues(parsed.error));
  const policy = parsed.data;
  return { policy, origin, sha256: createHash('sha256').update(JSON.stringify(policy)).digest('hex') };
}

/** Reads a policy file (`.json`, `.yaml`, `.yml`), validates it and fills the defaults. */
export async function loadPolicy(file: string): Promise<ResolvedPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ClearanceError('ERR_POLICY_UNREADABLE', `cannot read policy file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new PolicyError(`policy file ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`, [], { cause: err });
  }
  return resolvePolicy((data ?? {}), file);
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top)';
    const hint = issue.code === 'unrecognized_keys' && issue.keys.includes('licenses') ? ' (the key is spelled "licences")' : '';
    return `${where}: ${issue.message}${hint}`;
  });
}
