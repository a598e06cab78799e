import { z } from 'zod';
import { CATEGORIES, SENSITIVITY_LABELS } from '../fhir.js';
import { ROLES } from '../principal.js';
import { PURPOSES_OF_USE } from '../purpose.js';
import { jurisdictionCode } from './jurisdiction.js';
import { setOf } from './schema-support.js';
import {
  BREAK_GLASS_SENSITIVE,
  CONSENT_DEFAULTS,
  LEGAL_BASES,
  OBLIGATION_KINDS,
  POLICY_FORMAT,
  SENSITIVE_REQUIREMENTS,
  TRANSFER_REQUIREMENTS,
  WITHHELD_VISIBILITY,
  WITHIN_FAMILY_REQUIREMENTS,
} from './policy-vocabulary.js';

const category = z.enum(CATEGORIES);
const purpose = z.enum(PURPOSES_OF_USE);
const role = z.enum(ROLES);
const note = z.string().max(500).optional();

/** Version labels follow the chaincode's, so every version can be anchored. */
export const versionLabel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, "must be 1-32 letters, digits, '.', '_' or '-', e.g. 2025.1");

const refusedPurpose = z.strictObject({ allowed: z.literal(false), note });

const allowedPurpose = z.strictObject({
  allowed: z.literal(true),
  legalBasis: z.enum(LEGAL_BASES),
  explicitConsent: z.boolean(),
  categories: setOf(category).min(1, 'an allowed purpose needs at least one category; use allowed: false to refuse it'),
  roles: setOf(role).min(1, 'leave roles out to allow any role').optional(),
  patientOnly: z.boolean().optional(),
  /** `safe_harbor`: the answer carries none of HIPAA Safe Harbor's 18 identifiers, pseudonymous ids instead. */
  deidentify: z.enum(['safe_harbor']).optional(),
  /** The requester's organisation must have an open care relationship with the patient (break-glass needs none). */
  careRelationship: z.boolean().optional(),
  note,
});

const purposeRule = z.discriminatedUnion('allowed', [refusedPurpose, allowedPurpose]);

const sensitiveRule = z.strictObject({
  requires: setOf(z.enum(SENSITIVE_REQUIREMENTS)),
  whenWithheld: z.enum(WITHHELD_VISIBILITY),
  exemptPurposes: setOf(purpose),
  breakGlass: z.enum(BREAK_GLASS_SENSITIVE),
  note,
});

const crossBorderRule = z.strictObject({
  adequate: setOf(jurisdictionCode),
  otherwise: z.enum(TRANSFER_REQUIREMENTS),
  exemptPurposes: setOf(purpose),
  breakGlassDerogation: z.boolean(),
  withinFamily: z.enum(WITHIN_FAMILY_REQUIREMENTS).optional(),
  note,
});

const breakGlassRule = z.strictObject({
  allowed: z.boolean(),
  roles: setOf(role),
  purposes: setOf(purpose),
  categories: setOf(category),
  maxDurationMinutes: z.int().min(1).max(10_080, 'must be at most a week (10080 minutes)'),
  obligations: setOf(z.enum(OBLIGATION_KINDS)),
  overridesObjection: z.boolean(),
  note,
});

const careRelationshipRule = z.strictObject({
  episodeDays: z.int().min(1).max(366, 'must be at most 366 days'),
  note,
});

const retentionRule = z.strictObject({
  auditLogYears: z.int().min(0).max(100, 'must be at most 100 years'),
  note,
});

const header = {
  format: z.literal(POLICY_FORMAT),
  jurisdiction: jurisdictionCode,
  framework: z.string().min(1).max(100),
  version: versionLabel,
  title: z.string().max(200).optional(),
  covers: setOf(jurisdictionCode).min(1, 'must name at least one jurisdiction'),
};

/** A regional policy: every purpose and every sensitivity label stated. */
export const rootPolicySchema = z.strictObject({
  ...header,
  extends: z.undefined().optional(),
  rules: z.strictObject({
    consentDefault: z.enum(CONSENT_DEFAULTS),
    purposes: z.record(purpose, purposeRule),
    sensitive: z.record(z.enum(SENSITIVITY_LABELS), sensitiveRule),
    crossBorder: crossBorderRule,
    breakGlass: breakGlassRule,
    careRelationships: careRelationshipRule.optional(),
    retention: retentionRule.optional(),
  }),
});

/** A national overlay: sections and entries left out are inherited. */
export const overlayPolicySchema = z
  .strictObject({
    ...header,
    extends: jurisdictionCode,
    rules: z.strictObject({
      consentDefault: z.enum(CONSENT_DEFAULTS).optional(),
      purposes: z.partialRecord(purpose, purposeRule).optional(),
      sensitive: z.partialRecord(z.enum(SENSITIVITY_LABELS), sensitiveRule).optional(),
      crossBorder: crossBorderRule.optional(),
      breakGlass: breakGlassRule.optional(),
      careRelationships: careRelationshipRule.optional(),
      retention: retentionRule.optional(),
    }),
  })
  .refine((doc) => doc.extends !== doc.jurisdiction, { path: ['extends'], message: 'a policy cannot extend itself' });
