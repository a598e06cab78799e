import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { AccessLogIntegrity, AuditIntegrityEnum } from './audit-chain.type.js';
import { AccessOutcomeEnum, PurposeOfUseEnum, SensitivityEnum } from './enums.js';
import { PageInfo } from './record-connection.type.js';

@ObjectType({
  description: "One access decision on a patient's data: who asked, from where, why, and what was decided.",
})
export class AccessLogEntry {
  @Field(() => ID) decisionId!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String, { description: 'The organisation that asked.' }) organisationId!: string;
  @Field(() => String, { nullable: true }) organisationName!: string | null;
  @Field(() => String, { description: "The requesting organisation's jurisdiction, e.g. DE." }) jurisdiction!: string;
  @Field(() => PurposeOfUseEnum) purpose!: string;
  @Field(() => String, { description: 'The operation that asked, e.g. patientSummary.' }) operation!: string;
  @Field(() => AccessOutcomeEnum) outcome!: string;
  @Field(() => Boolean, { description: 'Whether emergency access overrode a denial.' }) breakGlass!: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'Why emergency access was claimed (break-glass); null when it was not.',
  })
  justification!: string | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      "When a compliance officer reviewed this break-glass access; null while unreviewed and in a patient's own log.",
  })
  reviewedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The officer who reviewed it.' })
  reviewedBy!: string | null;
  @Field(() => [String], { description: 'Machine-readable reasons, e.g. FORBIDDEN or REGION_UNAVAILABLE.' })
  reasons!: string[];
  @Field(() => [SensitivityEnum], {
    description:
      "Sensitivity and confidentiality labels of the patient's records that this decision withheld. The requester was not told where the policy hides them.",
  })
  withheldLabels!: string[];
  @Field(() => ID, {
    nullable: true,
    description: "The patient concerned (pseudonymous id); null in a patient's own log.",
  })
  patientId!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "The requesting user's id at their organisation; null in a patient's own log.",
  })
  requesterSubject!: string | null;
  @Field(() => AuditIntegrityEnum, {
    nullable: true,
    description:
      'Whether the event is as written and follows the event before it in the audit chain; null where it was not checked.',
  })
  integrity!: string | null;
}

@ObjectType()
export class AccessLogEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AccessLogEntry) node!: AccessLogEntry;
}

@ObjectType({ description: 'A page of the access log, newest first.' })
export class AccessLogConnection {
  @Field(() => [AccessLogEdge]) edges!: AccessLogEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => AccessLogIntegrity, {
    description:
      'The evidence behind this page: altered or unlinked entries, and missing newest events of the whole log.',
  })
  integrity!: AccessLogIntegrity;
}
