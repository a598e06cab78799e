import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export const CareStatusEnum = { OPEN: 'OPEN', ENDED: 'ENDED', EXPIRED: 'EXPIRED' } as const;
registerEnumType(CareStatusEnum, {
  name: 'CareRelationshipStatus',
  description:
    'OPEN: in force until expiresAt. ENDED: the patient ended it. EXPIRED: the episode the policy sets is over.',
});

export const AccessCodeStateEnum = { ACTIVE: 'ACTIVE', USED: 'USED', EXPIRED: 'EXPIRED', LOCKED: 'LOCKED' } as const;
registerEnumType(AccessCodeStateEnum, {
  name: 'AccessCodeState',
  description: 'LOCKED: too many wrong tries were made against the patient while it was live.',
});

@ObjectType({
  description:
    'A short-lived, single-use code the patient shows a clinician at the point of care, to open a care relationship.',
})
export class AccessCode {
  @Field(() => ID) id!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'The code itself, e.g. 7KQ2M-XD9PA: only in the answer to issueAccessCode; the gateway keeps a keyed hash.',
  })
  code!: string | null;
  @Field(() => String, { nullable: true, description: 'Only this organisation may use it; null: any.' })
  organisationId!: string | null;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => AccessCodeStateEnum) state!: string;
  @Field(() => Int, { description: 'Wrong tries made while it was live; the fifth locks it.' }) failedAttempts!: number;
}

@ObjectType({
  description:
    "An organisation treating the patient: opened with the patient's access code, anchored on the ledger, in force until the patient ends it or the episode ends.",
})
export class CareRelationship {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'Global pseudonymous patient id.' }) patientId!: string;
  @Field(() => String) organisationId!: string;
  @Field(() => String, { nullable: true }) organisationName!: string | null;
  @Field(() => GraphQLISODateTime) openedAt!: Date;
  @Field(() => GraphQLISODateTime, { description: 'The end of the episode of care, from the policy.' })
  expiresAt!: Date;
  @Field(() => CareStatusEnum) status!: string;
  @Field(() => GraphQLISODateTime, { nullable: true }) endedAt!: Date | null;
  @Field(() => String, { description: 'sha256 of the canonical JSON of the relationship, as anchored.' })
  contentHash!: string;
  @Field(() => String, { description: 'Ledger transaction that anchored the opening.' }) openTxId!: string;
  @Field(() => String, { nullable: true, description: 'Ledger transaction that anchored the ending.' })
  endTxId!: string | null;
}
