import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'How many resources of one type a bundle held that Meridian does not store.' })
export class SkippedCount {
  @Field(() => String) resourceType!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'An imported Patient and the global patient it belongs to.' })
export class ImportedPatient {
  @Field(() => String, { description: 'The Patient id in the region.' }) localId!: string;
  @Field(() => String, { description: 'The pseudonymous global patient id.' }) globalId!: string;
  @Field(() => String, {
    description:
      'new (a new patient), existing (already linked), matched (joined by a trusted identifier), review (new, and listed for review as probably another patient)',
  })
  link!: string;
  @Field(() => String, { nullable: true, description: 'The patient this one probably is, for link review.' })
  probableMatch!: string | null;
}

@ObjectType({
  description: 'What an import did: records kept, written, unchanged; resources skipped; patients linked.',
})
export class ImportReport {
  @Field(() => String) region!: string;
  @Field(() => String) organisationId!: string;
  @Field(() => String, { description: 'document, transaction, batch, collection or searchset.' }) bundleType!: string;
  @Field(() => Int, { description: 'Records kept (stored or already stored).' }) records!: number;
  @Field(() => Int) inserted!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int, { description: 'Records put in new ledger batches.' }) anchored!: number;
  @Field(() => [SkippedCount]) skipped!: SkippedCount[];
  @Field(() => [ImportedPatient]) patients!: ImportedPatient[];
}
