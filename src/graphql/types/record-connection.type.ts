import { Field, ObjectType } from 'type-graphql';
import { ClinicalItem } from './clinical-item.type.js';
import { DisclosureReceipt } from './disclosure-receipt.type.js';

@ObjectType()
export class RecordEdge {
  @Field(() => String) cursor!: string;
  @Field(() => ClinicalItem) node!: ClinicalItem;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType({ description: "A page of a patient's records, newest first, across regions." })
export class RecordConnection {
  @Field(() => [RecordEdge]) edges!: RecordEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => [String]) regions!: string[];
  @Field(() => [String]) unavailableRegions!: string[];
  @Field(() => DisclosureReceipt) receipt!: DisclosureReceipt;
}
