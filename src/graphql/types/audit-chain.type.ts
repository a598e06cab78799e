import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export const AuditIntegrityEnum = { INTACT: 'INTACT', ALTERED: 'ALTERED', BROKEN_LINK: 'BROKEN_LINK' } as const;
registerEnumType(AuditIntegrityEnum, {
  name: 'AuditIntegrity',
  description: "What an access log entry's own evidence says about it.",
  valuesConfig: {
    INTACT: { description: 'The event matches its hash and follows the event before it in the chain.' },
    ALTERED: { description: 'The event no longer matches its hash: it was changed after it was written.' },
    BROKEN_LINK: { description: 'The event before it in the chain is missing or was rewritten.' },
  },
});

export const AuditChainProblemKindEnum = {
  ALTERED: 'ALTERED',
  BROKEN_LINK: 'BROKEN_LINK',
  MISSING_TAIL: 'MISSING_TAIL',
  CHECKPOINT: 'CHECKPOINT',
  ANCHOR: 'ANCHOR',
} as const;
registerEnumType(AuditChainProblemKindEnum, {
  name: 'AuditChainProblemKind',
  description: 'What is wrong with the audit chain.',
  valuesConfig: {
    ALTERED: { description: 'An event no longer matches its hash, or is not the one checkpointed or anchored.' },
    BROKEN_LINK: { description: 'An event does not follow the one before it: events before it are missing.' },
    MISSING_TAIL: {
      description: "The newest events are missing: the log ends before its checkpoint or the ledger's anchored head.",
    },
    CHECKPOINT: { description: "The chain's checkpoint is missing, or events were added around the audit log." },
    ANCHOR: { description: 'A ledger batch does not cover the events the log holds for it.' },
  },
});

@ObjectType({ description: 'One thing wrong with the audit chain.' })
export class AuditChainProblem {
  @Field(() => AuditChainProblemKindEnum) kind!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Sequence number of the event concerned, or where a gap begins.',
  })
  seq!: string | null;
  @Field(() => ID, { nullable: true, description: 'The decision id of the event concerned, when it is still there.' })
  eventId!: string | null;
  @Field(() => String, { description: 'What was recorded and what was found.' }) detail!: string;
}

@ObjectType({ description: 'The evidence behind a page of the access log.' })
export class AccessLogIntegrity {
  @Field(() => Boolean, { description: 'No problem with the entries on this page or the end of the chain.' })
  ok!: boolean;
  @Field(() => [AuditChainProblem], {
    description:
      "Missing newest events (against the checkpoint and the ledger's anchored head), and altered or unlinked entries on this page.",
  })
  problems!: AuditChainProblem[];
}

@ObjectType({ description: 'A position in the audit chain: an event by sequence number and hash.' })
export class AuditChainPosition {
  @Field(() => String) seq!: string;
  @Field(() => String) hash!: string;
  @Field(() => String, { nullable: true, description: 'The ledger batch that carries it (the ledger head only).' })
  batchId!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The ledger transaction that anchored it (the ledger head only).',
  })
  txId!: string | null;
}

@ObjectType({ description: 'The whole audit chain verified: events, checkpoint, anchored batches, ledger head.' })
export class AuditChainVerification {
  @Field(() => Boolean) ok!: boolean;
  @Field(() => Int, { description: 'Events in the log, every one checked.' }) events!: number;
  @Field(() => Int, { description: 'Ledger batches checked against the events they cover.' }) batches!: number;
  @Field(() => AuditChainPosition, { nullable: true, description: "The log's newest event." })
  head!: AuditChainPosition | null;
  @Field(() => AuditChainPosition, { nullable: true, description: 'The head checkpointed beside the audit table.' })
  checkpoint!: AuditChainPosition | null;
  @Field(() => AuditChainPosition, {
    nullable: true,
    description: "The chain's head carried by the newest audit batch on the ledger.",
  })
  ledgerHead!: AuditChainPosition | null;
  @Field(() => [AuditChainProblem], { description: 'The first problems found, oldest first.' })
  problems!: AuditChainProblem[];
}
