import { Field, GraphQLISODateTime, ID, InputType } from 'type-graphql';
import { ConsentGranteeInput } from './consent-grantee.input.js';
import { ConsentKindEnum } from './consent-enums.js';
import { CategoryEnum, PurposeOfUseEnum, SensitivityEnum } from './enums.js';

@InputType({ description: 'A consent or objection a patient grants.' })
export class GrantConsentInput {
  @Field(() => ID, { nullable: true, description: "Defaults to the caller's own patient id; no other is allowed." })
  patientId?: string | null;
  @Field(() => ConsentKindEnum, { defaultValue: 'PERMIT', description: 'DENY records an objection.' })
  kind!: keyof typeof ConsentKindEnum;
  @Field(() => ConsentGranteeInput) grantee!: ConsentGranteeInput;
  @Field(() => [PurposeOfUseEnum], { description: 'At least one.' }) purposes!: string[];
  @Field(() => [CategoryEnum], { nullable: true, description: 'Leave out for every category.' })
  categoriesAllowed?: string[] | null;
  @Field(() => [CategoryEnum], { nullable: true }) categoriesDenied?: string[] | null;
  @Field(() => [SensitivityEnum], { nullable: true, description: 'Permits only.' }) sensitiveAllowed?: string[] | null;
  @Field(() => [SensitivityEnum], {
    nullable: true,
    description:
      'Labels to keep back from this grantee, e.g. [PSY] for "everything but my psychiatric notes", or [R, V] for records marked restricted or very restricted (permits only). Whole categories go in categoriesDenied.',
  })
  labelsDenied?: string[] | null;
  @Field(() => [String], {
    nullable: true,
    description: "Jurisdictions outside the data's policy family that may receive it (permits only).",
  })
  destinationsAllowed?: string[] | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Defaults to the grant time.' })
  validFrom?: Date | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Exclusive; must be after validFrom and after the grant itself.',
  })
  validUntil?: Date | null;
}
