import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { AccessCodeRow, CareRelationshipRow } from '../../stores/care-repository.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { AccessCode, CareRelationship } from '../types/care.type.js';

function toRelationship(row: CareRelationshipRow, ctx: GraphQLContext): CareRelationship {
  const expired = row.status === 'open' && row.expiresAt.getTime() <= Date.now();
  return {
    id: row.id,
    patientId: row.patientId,
    organisationId: row.organisationId,
    organisationName: ctx.services.organisationName(row.organisationId),
    openedAt: row.openedAt,
    expiresAt: row.expiresAt,
    status: row.status === 'ended' ? 'ENDED' : expired ? 'EXPIRED' : 'OPEN',
    endedAt: row.endedAt,
    contentHash: row.contentHash,
    openTxId: row.openTxId,
    endTxId: row.endTxId,
  };
}

function stateOf(row: AccessCodeRow): string {
  if (row.usedAt !== null) return 'USED';
  if (row.lockedAt !== null) return 'LOCKED';
  return row.expiresAt.getTime() <= Date.now() ? 'EXPIRED' : 'ACTIVE';
}

function toAccessCode(row: AccessCodeRow, code: string | null = null): AccessCode {
  return {
    id: row.id,
    code,
    organisationId: row.organisationId,
    expiresAt: row.expiresAt,
    state: stateOf(row),
    failedAttempts: row.failedAttempts,
  };
}

@Resolver()
export class CareResolver {
  @Mutation(() => AccessCode, {
    description:
      'Issues an access code for the signed-in patient to show a clinician at the point of care: valid `validMinutes` (default 15, at most 1440), usable once, by `organisationId` only when given. The code is in this answer only.',
  })
  async issueAccessCode(
    @Arg('organisationId', () => String, { nullable: true }) organisationId: string | null,
    @Arg('validMinutes', () => Int, { nullable: true }) validMinutes: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccessCode> {
    const issued = await ctx.services.care.issueAccessCode(requirePrincipal(ctx), { organisationId, validMinutes });
    return {
      id: issued.id,
      code: issued.code,
      organisationId: issued.organisationId,
      expiresAt: issued.expiresAt,
      state: 'ACTIVE',
      failedAttempts: 0,
    };
  }

  @Mutation(() => CareRelationship, {
    description:
      "Opens a care relationship between the signed-in clinician's organisation and the patient, with the access code the patient gave. Anchored on the ledger and audited; a wrong code is audited and counts against the patient's live codes (five lock them).",
  })
  async openCareRelationship(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('accessCode', () => String) accessCode: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CareRelationship> {
    return toRelationship(await ctx.services.care.open(requirePrincipal(ctx), patientId, accessCode), ctx);
  }

  @Mutation(() => CareRelationship, {
    description:
      "Ends one of the signed-in patient's care relationships, effective when answered (anchored on the ledger, then stored). Ending an ended one returns it unchanged.",
  })
  async endCareRelationship(
    @Arg('relationshipId', () => ID) relationshipId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CareRelationship> {
    return toRelationship(await ctx.services.care.end(requirePrincipal(ctx), relationshipId), ctx);
  }

  @Query(() => [CareRelationship], {
    description: "The signed-in patient's care relationships, newest first, ended and expired ones included.",
  })
  async myCareRelationships(@Ctx() ctx: GraphQLContext): Promise<CareRelationship[]> {
    return (await ctx.services.care.mine(requirePrincipal(ctx))).map((r) => toRelationship(r, ctx));
  }

  @Query(() => [AccessCode], {
    description: "The signed-in patient's access codes, newest first (never the codes themselves).",
  })
  async myAccessCodes(@Ctx() ctx: GraphQLContext): Promise<AccessCode[]> {
    return (await ctx.services.care.myCodes(requirePrincipal(ctx))).map((r) => toAccessCode(r));
  }
}
