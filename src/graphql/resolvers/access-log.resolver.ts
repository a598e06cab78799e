import { Arg, Ctx, GraphQLISODateTime, Int, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toAccessLogConnection } from '../mappers.js';
import { AccessLogConnection } from '../types/access-log.type.js';

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
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccessLogConnection> {
    const page = await ctx.services.audit.accessLog(requirePrincipal(ctx), {
      first,
      ...(after != null ? { after } : {}),
      ...(since != null ? { since } : {}),
    });
    return toAccessLogConnection(page, ctx.services.organisationName, false);
  }
}
