import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeridianError } from '../../domain/errors.js';
import { parsePolicyDocument, type PolicyDocument } from '../../domain/policy/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** policies/ at the package root, from src/access/policy or dist/access/policy. */
export const SHIPPED_POLICY_DIR = path.resolve(here, '..', '..', '..', 'policies');

/**
 * The policy documents shipped in `policies/*.json`, validated, in file-name order.
 * @throws Error naming the file and every problem: a shipped policy must be valid.
 */
export async function loadShippedPolicies(dir: string = SHIPPED_POLICY_DIR): Promise<PolicyDocument[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(path.join(dir, file), 'utf8');
      try {
        return parsePolicyDocument(JSON.parse(text));
      } catch (err) {
        const why = err instanceof MeridianError || err instanceof SyntaxError ? err.message : String(err);
        throw new Error(`${path.join(dir, file)}: ${why}`, { cause: err });
      }
    }),
  );
}
