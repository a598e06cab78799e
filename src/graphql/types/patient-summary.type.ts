import { Field, ID, ObjectType } from 'type-graphql';
import type { SummaryResult } from '../../access/records/record-service.js';
import { ClinicalItem, Demographics } from './clinical-item.type.js';
import { DisclosureReceipt } from './disclosure-receipt.type.js';
import { PurposeOfUseEnum } from './enums.js';

@ObjectType({ description: 'International Patient Summary sections merged across every region that answered.' })
export class PatientSummary {
  @Field(() => ID) patientId!: string;
  @Field(() => PurposeOfUseEnum) purpose!: string;
  @Field(() => [String], { description: 'Regions whose records are in this answer.' }) regions!: string[];
  @Field(() => [String], { description: 'Regions that hold records but did not answer in time.' })
  unavailableRegions!: string[];
  @Field(() => [Demographics]) demographics!: Demographics[];
  @Field(() => [ClinicalItem]) problems!: ClinicalItem[];
  @Field(() => [ClinicalItem]) allergies!: ClinicalItem[];
  @Field(() => [ClinicalItem]) medications!: ClinicalItem[];
  @Field(() => [ClinicalItem]) immunizations!: ClinicalItem[];
  @Field(() => [ClinicalItem]) results!: ClinicalItem[];
  @Field(() => [ClinicalItem]) procedures!: ClinicalItem[];
  @Field(() => [ClinicalItem]) reports!: ClinicalItem[];
  @Field(() => DisclosureReceipt) receipt!: DisclosureReceipt;
  /** The service's answer, for `ipsBundle` (built only when asked for). */
  answer!: SummaryResult;
}
