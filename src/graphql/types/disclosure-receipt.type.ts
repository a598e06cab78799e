import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { AccessOutcomeEnum } from './enums.js';

@ObjectType({ description: 'A policy version a decision applied, as anchored on the ledger.' })
export class PolicyVersionRef {
  @Field(() => String, { description: 'The policy id, e.g. EU or DE.' }) jurisdiction!: string;
  @Field(() => String) version!: string;
  @Field(() => String, { description: "sha256 of the policy document's canonical JSON." }) hash!: string;
  @Field(() => String, { description: 'The ledger transaction that activated this version.' }) txId!: string;
}

@ObjectType({ description: "A version of the patient's consent a decision relied on, as anchored on the ledger." })
export class ConsentVersionRef {
  @Field(() => ID) id!: string;
  @Field(() => String) version!: string;
  @Field(() => String, { description: "sha256 of the consent's canonical JSON." }) hash!: string;
  @Field(() => String, { description: 'The ledger transaction that anchored the grant.' }) txId!: string;
}

@ObjectType({
  description:
    'The audited decision an answer was disclosed under: the decision, its audit event hash, and the exact policy and consent versions it used. `verifyDisclosure` proves it against the ledger.',
})
export class DisclosureReceipt {
  @Field(() => ID, { description: 'The decision id; the access log lists it too.' }) decisionId!: string;
  @Field(() => GraphQLISODateTime, { description: 'When the decision was made.' }) at!: Date;
  @Field(() => AccessOutcomeEnum) outcome!: string;
  @Field(() => Boolean, { description: 'Whether the answer was disclosed under emergency access.' })
  breakGlass!: boolean;
  @Field(() => String, {
    description: "sha256 of the decision's audit event, chained to the previous event and anchored on the ledger.",
  })
  auditHash!: string;
  @Field(() => [PolicyVersionRef]) policies!: PolicyVersionRef[];
  @Field(() => [ConsentVersionRef]) consents!: ConsentVersionRef[];
}
