import { Field, ID, InputType, ObjectType } from 'type-graphql';

@InputType({ description: 'The part of a disclosure receipt that names its decision.' })
export class DisclosureReceiptInput {
  @Field(() => ID) decisionId!: string;
  @Field(() => String) auditHash!: string;
}

@ObjectType({ description: 'One thing `verifyDisclosure` checked against the ledger.' })
export class VerificationCheck {
  @Field(() => String, {
    description: 'What was checked: audit_event, ledger_anchor, policy EU@2025.2, consent cns-….',
  })
  subject!: string;
  @Field(() => Boolean) ok!: boolean;
  @Field(() => String) detail!: string;
}

@ObjectType({ description: 'A disclosure receipt proven (or not) against the ledger.' })
export class DisclosureVerification {
  @Field(() => Boolean, {
    description:
      'The decision is in the audit log as receipted and unaltered, in a batch the ledger anchors, under policy and consent versions the ledger anchors with the same hashes.',
  })
  valid!: boolean;
  @Field(() => ID) decisionId!: string;
  @Field(() => String, { nullable: true, description: 'The ledger batch whose Merkle root covers the audit event.' })
  batchId!: string | null;
  @Field(() => [VerificationCheck]) checks!: VerificationCheck[];
}
