import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Records deleted in one region by an erasure.' })
export class ErasedRegion {
  @Field(() => String) region!: string;
  @Field(() => Int) records!: number;
}

@ObjectType({
  description:
    "What an erasure of a patient's data (GDPR art. 17) did. It names no patient: keep it as the proof that the erasure took place (ledgerTxId).",
})
export class ErasureReceipt {
  @Field(() => ID) erasureId!: string;
  @Field(() => String, { description: 'When it was asked for (ISO 8601).' }) requestedAt!: string;
  @Field(() => String, { description: 'When the last store was done (ISO 8601).' }) completedAt!: string;
  @Field(() => String, {
    description: "patient_request, or verified_request:<reference> when an officer acted on the patient's request.",
  })
  basis!: string;
  @Field(() => [ErasedRegion], { description: 'Records deleted in each region that held some.' })
  regions!: ErasedRegion[];
  @Field(() => Int, { description: 'Consent documents removed (revoked on the ledger).' }) consents!: number;
  @Field(() => Int, { description: 'Care relationships removed (ended on the ledger).' }) careRelationships!: number;
  @Field(() => Int) accessCodes!: number;
  @Field(() => Int) notifications!: number;
  @Field(() => Int, { description: 'Patient-index entries removed.' }) indexEntries!: number;
  @Field(() => Int, {
    description:
      'Audit events kept as the law requires, the patient in them replaced by the erasure: nothing left links them to the patient.',
  })
  auditEventsPseudonymised!: number;
  @Field(() => Int, {
    description:
      'Audit events written before patients had keys of their own, which chain the (random) patient id itself and so keep it.',
  })
  auditEventsUnchanged!: number;
  @Field(() => String, {
    nullable: true,
    description:
      "Until when the pseudonymised audit events are kept, by the longest period the patient's policies set.",
  })
  auditRetainedUntil!: string | null;
  @Field(() => String, { description: 'The ledger transaction that marked the patient erased.' }) ledgerTxId!: string;
}
