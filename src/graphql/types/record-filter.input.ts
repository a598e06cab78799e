import { Field, GraphQLISODateTime, InputType } from 'type-graphql';
import { CategoryEnum, ResourceTypeEnum } from './enums.js';

@InputType({ description: 'Narrows a records query; every given condition must hold.' })
export class RecordFilter {
  @Field(() => [ResourceTypeEnum], { nullable: true }) resourceTypes?: string[];
  @Field(() => [CategoryEnum], { nullable: true }) categories?: string[];
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Only records updated at or after this time.' })
  since?: Date;
}
