import { Arg, Ctx, GraphQLISODateTime, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toAccessLogConnection, toAccessLogEntry } from '../mappers.js';
import type { AuditOutcome } from '../../domain/audit-event.js';
import { AccessLogConnection, AccessLogEntry } from '../types/access-log.type.js';
import { AccessLogFilter } from '../types/access-log-filter.input.js';

@Resolver()
export class AccessLogResolver {
  @Query(() => AccessLogConnection, {
    description: 'Who accessed your data, newest first: for patients, their own data only. Denied attempts included.',
  })
  async myAccessLog(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccessLogConnection> {
    const page = await ctx.services.audit.myAccessLog(requirePrincipal(ctx), {
      first,
      ...(after != null ? { after } : {}),
    });
    return toAccessLogConnection(page, ctx.services.organisationName, true);
  }

  @Query(() => AccessLogConnection, {
    description:
      "Access decisions on requests from your organisation's jurisdiction, newest first: for compliance officers and auditors.",
  })
  async accessLog(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Arg('since', () => GraphQLISODateTime, { nullable: true, description: 'Only decisions at or after this time.' })
    since: Date | undefined,
    @Arg('filter', () => AccessLogFilter, { nullable: true }) filter: AccessLogFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccessLogConnection> {
    const page = await ctx.services.audit.accessLog(requirePrincipal(ctx), {
      first,
      ...(after != null ? { after } : {}),
      ...(since != null ? { since } : {}),
      // GraphQL enum coercion has already refused any value outside AccessOutcome and PurposeOfUse.
      ...(filter?.outcome != null ? { outcome: filter.outcome.toLowerCase() as AuditOutcome } : {}),
      ...(filter?.purpose != null ? { purpose: filter.purpose } : {}),
      ...(filter?.breakGlass != null ? { breakGlass: filter.breakGlass } : {}),
      ...(filter?.patientId != null ? { patientId: filter.patientId } : {}),
    });
    return toAccessLogConnection(page, ctx.services.organisationName, false);
  }

  @Query(() => AccessLogConnection, {
    description:
      'Break-glass accesses by requesters of your jurisdiction that await after-the-fact review, newest first: for compliance officers.',
  })
  async breakGlassReviewQueue(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccessLogConnection> {
    const page = await ctx.services.audit.reviewQueue(requirePrincipal(ctx), {
      first,
      ...(after != null ? { after } : {}),
    });
    return toAccessLogConnection(page, ctx.services.organisationName, false);
  }

  @Mutation(() => AccessLogEntry, {
    description: 'Marks a break-glass access of your jurisdiction reviewed: for compliance officers.',
  })
  async reviewBreakGlass(
    @Arg('decisionId', () => ID) decisionId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccessLogEntry> {
    const event = await ctx.services.audit.review(requirePrincipal(ctx), decisionId);
    return toAccessLogEntry(event, ctx.services.organisationName, false);
  }
}
