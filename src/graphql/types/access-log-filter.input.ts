import { Field, ID, InputType } from 'type-graphql';
import { AccessOutcomeEnum, PurposeOfUseEnum } from './enums.js';

@InputType({ description: "Narrows the jurisdiction's access log; every given condition must hold." })
export class AccessLogFilter {
  @Field(() => AccessOutcomeEnum, { nullable: true }) outcome?: string | null;
  @Field(() => PurposeOfUseEnum, { nullable: true }) purpose?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only decisions that claimed break-glass; false: only those that did not.',
  })
  breakGlass?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'Only decisions about this (global) patient.' })
  patientId?: string | null;
}
