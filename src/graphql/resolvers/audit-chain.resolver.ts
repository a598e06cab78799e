import { Ctx, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toAuditChainVerification } from '../audit-chain-mappers.js';
import { AuditChainVerification } from '../types/audit-chain.type.js';

@Resolver()
export class AuditChainResolver {
  @Query(() => AuditChainVerification, {
    description:
      "Verifies the whole audit chain: every event's hash and link, the checkpointed head, every anchored batch and the ledger's head. For compliance officers and auditors.",
  })
  async verifyAuditChain(@Ctx() ctx: GraphQLContext): Promise<AuditChainVerification> {
    return toAuditChainVerification(await ctx.services.auditChain.verifyFor(requirePrincipal(ctx)));
  }
}
