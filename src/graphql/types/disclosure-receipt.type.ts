import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'The audited decision an answer was disclosed under: its audit event can be found by `decisionId` and checked by `auditHash`.',
})
export class DisclosureReceipt {
  @Field(() => ID, { description: 'The decision id; the access log lists it too.' }) decisionId!: string;
  @Field(() => GraphQLISODateTime, { description: 'When the decision was made.' }) at!: Date;
  @Field(() => String, {
    description: "sha256 of the decision's audit event, chained to the previous event and anchored on the ledger.",
  })
  auditHash!: string;
}
