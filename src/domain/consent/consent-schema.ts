import { z } from 'zod';
import { CATEGORIES, SENSITIVITY_LABELS } from '../fhir.js';
import { PURPOSES_OF_USE } from '../purpose.js';
import { jurisdictionCode } from '../policy/jurisdiction.js';
import { versionLabel } from '../policy/policy-schema.js';
import { instant, setOf } from '../policy/schema-support.js';
import { CONSENT_KINDS, CONSENT_STATUSES } from './consent-vocabulary.js';

// Id alphabets follow the chaincode's: a name, an e-mail address or JSON never passes as an id.
const recordId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be 1-128 letters, digits, '.', '_', ':' or '-'");
const patientId = z
  .string()
  .regex(/^mp-[0-9a-f]{12,64}$/, "must be a global patient id: 'mp-' followed by 12-64 lowercase hex digits");

const grantee = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('organisation'), organisationId: recordId }),
  z.strictObject({ kind: z.literal('jurisdiction'), jurisdiction: jurisdictionCode }),
  z.strictObject({ kind: z.literal('any_treating_provider') }),
]);

const fields = z.strictObject({
  id: recordId,
  patientId,
  version: versionLabel,
  status: z.enum(CONSENT_STATUSES),
  kind: z.enum(CONSENT_KINDS),
  grantee,
  purposes: setOf(z.enum(PURPOSES_OF_USE)).min(1, 'must name at least one purpose'),
  categoriesAllowed: setOf(z.enum(CATEGORIES)).min(1, 'leave categoriesAllowed out to mean all').optional(),
  categoriesDenied: setOf(z.enum(CATEGORIES)).optional(),
  sensitiveAllowed: setOf(z.enum(SENSITIVITY_LABELS)).optional(),
  labelsDenied: setOf(z.enum(SENSITIVITY_LABELS)).optional(),
  destinationsAllowed: setOf(jurisdictionCode).optional(),
  validFrom: instant,
  validUntil: instant.optional(),
  grantedAt: instant,
  revokedAt: instant.optional(),
});

type Fields = z.infer<typeof fields>;
type Problem = readonly [path: keyof Fields, message: string];

function timeProblems(c: Fields): Problem[] {
  const problems: Problem[] = [];
  if (c.validUntil && c.validUntil <= c.validFrom) problems.push(['validUntil', 'must be after validFrom']);
  if (c.status === 'revoked' && !c.revokedAt) problems.push(['revokedAt', 'required when status is revoked']);
  if (c.status === 'active' && c.revokedAt) problems.push(['revokedAt', 'must be absent while status is active']);
  if (c.revokedAt && c.revokedAt < c.grantedAt) problems.push(['revokedAt', 'must not be before grantedAt']);
  return problems;
}

function scopeProblems(c: Fields): Problem[] {
  const problems: Problem[] = [];
  const overlap = (c.categoriesDenied ?? []).filter((x) => c.categoriesAllowed?.includes(x));
  if (overlap.length > 0)
    problems.push(['categoriesDenied', `also listed in categoriesAllowed: ${overlap.join(', ')}`]);
  const scope = (c.categoriesAllowed ?? CATEGORIES).filter((x) => !c.categoriesDenied?.includes(x));
  if (scope.length === 0) problems.push(['categoriesDenied', 'leaves no category in scope']);
  const both = (c.labelsDenied ?? []).filter((l) => c.sensitiveAllowed?.includes(l));
  if (both.length > 0) problems.push(['labelsDenied', `also listed in sensitiveAllowed: ${both.join(', ')}`]);
  if (c.kind === 'deny') problems.push(...objectionProblems(c));
  return problems;
}

// An objection takes away; it cannot carry the explicit permissions only a permit gives.
function objectionProblems(c: Fields): Problem[] {
  const problems: Problem[] = [];
  if (c.sensitiveAllowed) problems.push(['sensitiveAllowed', 'only a permit consent can allow sensitive labels']);
  if (c.labelsDenied)
    problems.push([
      'labelsDenied',
      'an objection withholds whole categories; restrict labels with a permit consent (its labelsDenied binds even where no consent is needed)',
    ]);
  if (c.destinationsAllowed) problems.push(['destinationsAllowed', 'only a permit consent can allow destinations']);
  if (c.purposes.includes('PATRQT'))
    problems.push(['purposes', 'a patient cannot object to their own access (PATRQT)']);
  return problems;
}

/** A consent or objection, as a patient grants it through the API or it is read back from storage. */
export const consentSchema = fields.superRefine((c, ctx) => {
  for (const [path, message] of [...timeProblems(c), ...scopeProblems(c)]) {
    ctx.addIssue({ code: 'custom', path: [path], message });
  }
});
