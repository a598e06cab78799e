import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { ConsentKindEnum, ConsentStatusEnum, GranteeKindEnum } from './consent-enums.js';
import { CategoryEnum, PurposeOfUseEnum, SensitivityEnum } from './enums.js';

@ObjectType({ description: 'Whom a consent speaks to.' })
export class ConsentGrantee {
  @Field(() => GranteeKindEnum) kind!: string;
  @Field(() => String, { nullable: true, description: 'For kind ORGANISATION.' }) organisationId!: string | null;
  @Field(() => String, { nullable: true, description: 'For kind JURISDICTION, e.g. FR or EU.' })
  jurisdiction!: string | null;
}

@ObjectType({
  description:
    "A patient's consent or objection, with the content hash anchored on the shared ledger and the ledger transactions of its grant and revocation.",
})
export class Consent {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'Global pseudonymous patient id.' }) patientId!: string;
  @Field(() => String) version!: string;
  @Field(() => ConsentStatusEnum) status!: string;
  @Field(() => ConsentKindEnum) kind!: string;
  @Field(() => ConsentGrantee) grantee!: ConsentGrantee;
  @Field(() => [PurposeOfUseEnum], { description: 'TREAT also covers ETREAT.' }) purposes!: string[];
  @Field(() => [CategoryEnum], { nullable: true, description: 'Null: every category.' })
  categoriesAllowed!: string[] | null;
  @Field(() => [CategoryEnum]) categoriesDenied!: string[];
  @Field(() => [SensitivityEnum], { description: 'Sensitive labels explicitly consented to (permits only).' })
  sensitiveAllowed!: string[];
  @Field(() => [SensitivityEnum], {
    description:
      'Sensitivity or confidentiality labels kept back: records carrying one are withheld from this grantee, even where no consent is needed (permits only).',
  })
  labelsDenied!: string[];
  @Field(() => [String], { description: "Destinations outside the data's policy family (permits only)." })
  destinationsAllowed!: string[];
  @Field(() => GraphQLISODateTime) validFrom!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Exclusive; null: until revoked.' })
  validUntil!: Date | null;
  @Field(() => GraphQLISODateTime) grantedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
  @Field(() => String, { description: 'sha256 of the canonical JSON of what was granted, as anchored.' })
  contentHash!: string;
  @Field(() => String, { description: 'Ledger transaction that anchored the grant.' }) grantTxId!: string;
  @Field(() => String, { nullable: true, description: 'Ledger transaction that anchored the revocation.' })
  revokeTxId!: string | null;
}
