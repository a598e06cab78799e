import { z } from 'zod';
import { badInput, type MeridianError } from '../errors.js';

function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? '(document)' : issue.path.map(String).join('.');
}

/** One line per problem, each naming where it is: `rules.purposes.TREAT.legalBasis: ...`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${pathOf(issue)}: ${issue.message}`);
}

// A missing field reads better as "required" than as "expected string, received undefined".
const requiredWhenMissing: z.core.$ZodErrorMap = (issue) =>
  (issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined
    ? 'required'
    : undefined;

/**
 * Parses `json` with `schema`, or throws BAD_USER_INPUT listing every problem at once,
 * so an author fixes a document in one pass rather than one error per attempt.
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json, { error: requiredWhenMissing });
  if (result.success) return result.data;
  throw invalidDocument(what, describeIssues(result.error));
}

export function invalidDocument(what: string, errors: readonly string[]): MeridianError {
  return badInput(`invalid ${what}: ${errors.join('; ')}`, { errors });
}

/** A list used as a set: a repeated entry is almost always a typo for another one. */
export function setOf<T extends z.ZodType>(item: T): z.ZodArray<T> {
  return z.array(item).refine((list) => new Set(list).size === list.length, 'must not repeat an entry');
}

/** An instant: a Date, or an ISO 8601 date-time with an offset as JSON carries it. */
export const instant = z.union([z.date(), z.iso.datetime({ offset: true }).transform((text) => new Date(text))], {
  error: (issue) =>
    issue.input === undefined ? 'required' : 'must be an ISO 8601 date-time with an offset, e.g. 2025-01-31T12:00:00Z',
});
