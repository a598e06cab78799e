import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The authenticated caller.' })
export class Me {
  @Field(() => String) subject!: string;
  @Field(() => String) organisationId!: string;
  @Field(() => String) jurisdiction!: string;
  @Field(() => [String]) roles!: string[];
  @Field(() => String, { nullable: true }) patientId!: string | null;
}
