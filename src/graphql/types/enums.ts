import { registerEnumType } from 'type-graphql';
import { AUDIT_OUTCOMES } from '../../domain/audit-event.js';
import { CATEGORIES, IPS_RESOURCE_TYPES, SENSITIVITY_DESCRIPTIONS, SENSITIVITY_LABELS } from '../../domain/fhir.js';
import { PURPOSES_OF_USE, PURPOSE_DESCRIPTIONS } from '../../domain/purpose.js';

function enumOf<T extends string>(values: readonly T[]): Record<T, T> {
  return Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
}

export const PurposeOfUseEnum = enumOf(PURPOSES_OF_USE);
export const ResourceTypeEnum = enumOf(IPS_RESOURCE_TYPES);
export const CategoryEnum = enumOf(CATEGORIES.map((c) => c.toUpperCase()));
export const SensitivityEnum = enumOf(SENSITIVITY_LABELS);
export const AccessOutcomeEnum = enumOf(AUDIT_OUTCOMES.map((o) => o.toUpperCase()));

registerEnumType(PurposeOfUseEnum, {
  name: 'PurposeOfUse',
  description: 'HL7 v3 PurposeOfUse: why the data is asked for. Required on every read.',
  valuesConfig: Object.fromEntries(PURPOSES_OF_USE.map((p) => [p, { description: PURPOSE_DESCRIPTIONS[p] }])),
});
registerEnumType(ResourceTypeEnum, {
  name: 'ResourceType',
  description: 'FHIR R4 resource types of the International Patient Summary.',
});
registerEnumType(CategoryEnum, { name: 'Category', description: 'International Patient Summary section.' });
registerEnumType(SensitivityEnum, {
  name: 'Sensitivity',
  description: 'HL7 v3 sensitivity label carried by a record.',
  valuesConfig: Object.fromEntries(SENSITIVITY_LABELS.map((s) => [s, { description: SENSITIVITY_DESCRIPTIONS[s] }])),
});
registerEnumType(AccessOutcomeEnum, {
  name: 'AccessOutcome',
  description: 'What an access decision disclosed.',
  valuesConfig: {
    PERMIT: { description: 'Everything asked for.' },
    PARTIAL: { description: 'Some of it: a region did not answer, or records were withheld.' },
    DENY: { description: 'Nothing.' },
  },
});
