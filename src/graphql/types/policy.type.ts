import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from 'type-graphql';

export enum PolicyStatusEnum {
  DRAFT = 'DRAFT',
  APPROVED = 'APPROVED',
  ACTIVE = 'ACTIVE',
  SUPERSEDED = 'SUPERSEDED',
}

registerEnumType(PolicyStatusEnum, {
  name: 'PolicyStatus',
  description: 'Where a policy version is: drafted, approved by a second officer, active, or replaced by a later one.',
});

@ObjectType({
  description:
    "One version of a jurisdiction's policy, with the content hash anchored on the ledger and the transactions of each step.",
})
export class PolicyVersion {
  @Field(() => String, { description: "The policy's id, e.g. EU, DE, US." }) jurisdiction!: string;
  @Field(() => String) version!: string;
  @Field(() => PolicyStatusEnum) status!: PolicyStatusEnum;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The policy document (format meridian-policy/1); null when the stored one is damaged.',
  })
  document!: Record<string, unknown> | null;
  @Field(() => String, { description: 'sha256 of the canonical JSON of the document, as anchored.' })
  contentHash!: string;
  @Field(() => String, { description: 'The compliance officer who drafted it.' }) author!: string;
  @Field(() => String, { nullable: true, description: 'The second compliance officer who approved it.' })
  approver!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) approvedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) activatedAt!: Date | null;
  @Field(() => String, { description: 'Ledger transaction that recorded the draft.' }) recordTxId!: string;
  @Field(() => String, { nullable: true }) approveTxId!: string | null;
  @Field(() => String, { nullable: true }) activateTxId!: string | null;
}

@ObjectType({ description: 'One value a version changes: its path and canonical JSON before and after.' })
export class PolicyChange {
  @Field(() => String, { description: 'Dotted path, e.g. rules.crossBorder.withinFamily.' }) path!: string;
  @Field(() => String, { nullable: true, description: 'Null: the path is new.' }) before!: string | null;
  @Field(() => String, { nullable: true, description: 'Null: the path is gone.' }) after!: string | null;
}

@ObjectType({ description: "What a version changes against its jurisdiction's active version." })
export class PolicyDiff {
  @Field(() => String) jurisdiction!: string;
  @Field(() => String) version!: string;
  @Field(() => String, { nullable: true, description: 'The active version compared against; null when none.' })
  activeVersion!: string | null;
  @Field(() => [PolicyChange]) changes!: PolicyChange[];
}

@ObjectType({ description: 'An active policy version, verified against the ledger.' })
export class ActivePolicy {
  @Field(() => String, { description: "The policy's id, e.g. EU." }) jurisdiction!: string;
  @Field(() => String) version!: string;
  @Field(() => String, { description: 'The content hash the ledger anchors as active.' }) hash!: string;
  @Field(() => String, { description: 'Ledger transaction that activated this version.' }) activateTxId!: string;
}

@ObjectType({ description: 'Something stored that disagrees with the ledger: ids and hashes only.' })
export class IntegrityViolation {
  @Field(() => String, { description: 'What failed, e.g. policy EU@2025.2.' }) subject!: string;
  @Field(() => String) message!: string;
}

@ObjectType({ description: 'The policies decisions are judged by now, and any that failed verification.' })
export class ActivePolicies {
  @Field(() => [ActivePolicy]) policies!: ActivePolicy[];
  @Field(() => [IntegrityViolation], {
    description: 'Non-empty: a jurisdiction whose stored policy disagrees with the ledger has no policy in force.',
  })
  violations!: IntegrityViolation[];
}
