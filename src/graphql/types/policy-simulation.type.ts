import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'How one region came out of a replayed decision.' })
export class SimulatedRegion {
  @Field(() => String) region!: string;
  @Field(() => String, { description: 'permit, partial or deny.' }) outcome!: string;
  @Field(() => String, {
    nullable: true,
    description: 'For a denied region: CONSENT_REQUIRED, CONSENT_REVOKED or POLICY_DENIED.',
  })
  code!: string | null;
  @Field(() => [String], { description: 'Categories permitted.' }) categories!: string[];
}

@ObjectType({ description: 'A replayed decision, under one set of policies.' })
export class SimulatedDecision {
  @Field(() => String, { description: 'permit, partial or deny.' }) outcome!: string;
  @Field(() => [SimulatedRegion]) regions!: SimulatedRegion[];
}

@ObjectType({ description: 'An audited request the draft would decide differently.' })
export class ChangedDecision {
  @Field(() => ID) decisionId!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String) requesterOrg!: string;
  @Field(() => String) requesterJurisdiction!: string;
  @Field(() => String) purpose!: string;
  @Field(() => ID) patientId!: string;
  @Field(() => SimulatedDecision, { description: 'Under the active policies.' }) before!: SimulatedDecision;
  @Field(() => SimulatedDecision, { description: 'With the draft in place of its active version.' })
  after!: SimulatedDecision;
}

@ObjectType({ description: 'What activating a draft would change in recently audited decisions.' })
export class PolicySimulation {
  @Field(() => Int, { description: 'Audited requests replayed under both.' }) replayed!: number;
  @Field(() => Int, { description: 'Audited requests refused before any decision: nothing to replay.' })
  skipped!: number;
  @Field(() => [ChangedDecision]) changed!: ChangedDecision[];
}
