import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'Two global patients an import found probably the same (same name and birth date) without a shared trusted identifier: kept apart until a person merges them (`meridian patients merge`) or dismisses the match.',
})
export class PatientMatchReview {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The patient the import created apart.' }) globalId!: string;
  @Field(() => String, { description: 'The patient it probably is.' }) candidateId!: string;
  @Field(() => String) region!: string;
  @Field(() => String, { description: 'The Patient id in the region.' }) localId!: string;
  @Field(() => String) reason!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}
