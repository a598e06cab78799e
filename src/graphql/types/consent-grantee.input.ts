import { Field, InputType } from 'type-graphql';
import { GranteeKindEnum } from './consent-enums.js';

@InputType({ description: 'Whom a consent speaks to: give the field its kind names, and no other.' })
export class ConsentGranteeInput {
  @Field(() => GranteeKindEnum) kind!: keyof typeof GranteeKindEnum;
  @Field(() => String, { nullable: true, description: 'Required for kind ORGANISATION.' })
  organisationId?: string | null;
  @Field(() => String, { nullable: true, description: 'Required for kind JURISDICTION, e.g. FR or EU.' })
  jurisdiction?: string | null;
}
