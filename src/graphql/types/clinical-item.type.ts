import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { CategoryEnum, ResourceTypeEnum, SensitivityEnum } from './enums.js';

@ObjectType({ description: 'A code from a terminology (SNOMED CT, ICD-10, LOINC, ATC, RxNorm, ...).' })
export class Coding {
  @Field(() => String, { nullable: true }) system!: string | null;
  @Field(() => String, { nullable: true }) code!: string | null;
  @Field(() => String, { nullable: true }) display!: string | null;
}

@ObjectType({ description: 'Where an item comes from.' })
export class Provenance {
  @Field(() => String, { description: 'Region whose record store holds the item.' }) region!: string;
  @Field(() => String, {
    description:
      'Organisation that authored the record: a known organisation id, or the identifier the source gave (system|value).',
  })
  organisationId!: string;
  @Field(() => String, { nullable: true }) organisationName!: string | null;
  @Field(() => GraphQLISODateTime, {
    description:
      'When the source says it last changed: its meta.lastUpdated, else its clinical date; not the import time.',
  })
  lastUpdated!: Date;
  @Field(() => String, { description: 'sha256 of the canonical JSON of the resource.' }) contentHash!: string;
}

@ObjectType({
  description: 'One FHIR resource: the fields clinicians read first, its provenance, and the raw FHIR JSON.',
})
export class ClinicalItem {
  @Field(() => ID, { description: 'region/ResourceType/id' }) id!: string;
  @Field(() => ResourceTypeEnum) resourceType!: string;
  @Field(() => CategoryEnum) category!: string;
  @Field(() => Coding, { nullable: true }) code!: Coding | null;
  @Field(() => String, { nullable: true }) display!: string | null;
  @Field(() => String, { nullable: true }) status!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Onset, effective, occurrence or recorded date (FHIR dateTime).',
  })
  date!: string | null;
  @Field(() => String, { nullable: true, description: 'Value as text, e.g. "7.1 %".' }) value!: string | null;
  @Field(() => SensitivityEnum, {
    nullable: true,
    description: 'The first of sensitivityLabels (kept for older clients).',
  })
  sensitivity!: string | null;
  @Field(() => [SensitivityEnum], {
    description: 'Every HL7 v3 sensitivity label the resource carries; the item is withheld if any of them is.',
  })
  sensitivityLabels!: string[];
  @Field(() => String, {
    nullable: true,
    description: 'A medication\'s dose form (from the Medication the source referenced), e.g. "Film-coated tablet".',
  })
  form!: string | null;
  @Field(() => Provenance) provenance!: Provenance;
  @Field(() => GraphQLJSONObject, { description: 'The FHIR R4 resource as stored.' }) fhir!: Record<string, unknown>;
}

@ObjectType({ description: "A region's Patient resource: identity as that region records it." })
export class Demographics {
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) birthDate!: string | null;
  @Field(() => String, { nullable: true }) gender!: string | null;
  @Field(() => Provenance) provenance!: Provenance;
  @Field(() => GraphQLJSONObject) fhir!: Record<string, unknown>;
}
