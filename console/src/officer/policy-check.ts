import { describeIssues } from '../../../src/domain/policy/schema-support.js';
import { overlayPolicySchema, rootPolicySchema } from '../../../src/domain/policy/policy-schema.js';

/** One problem of a draft: where (a dotted path, or "(document)") and what. */
export interface DraftProblem {
  readonly path: string;
  readonly message: string;
}

/** Splits the gateway's `path: problem` lines (BAD_USER_INPUT's `extensions.errors`). */
export function problemOf(line: string): DraftProblem {
  const at = line.indexOf(': ');
  return at < 0 ? { path: '(document)', message: line } : { path: line.slice(0, at), message: line.slice(at + 2) };
}

/**
 * Checks a draft's text as the gateway will: JSON first, then the policy schema of the domain
 * (the gateway's own, bundled), overlay or root as `extends` says. The gateway checks again
 * (and checks what needs the active chain: a new version, an overlay that does not loosen).
 */
export function checkDraft(text: string): { document: unknown; problems: DraftProblem[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    return { document: null, problems: [{ path: '(JSON)', message: (err as Error).message }] };
  }
  const overlay =
    typeof document === 'object' && document !== null && (document as Record<string, unknown>).extends !== undefined;
  const result = (overlay ? overlayPolicySchema : rootPolicySchema).safeParse(document);
  return { document, problems: result.success ? [] : describeIssues(result.error).map(problemOf) };
}
