import { Ctx, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { Me } from '../types/principal.type.js';

@Resolver()
export class MeResolver {
  @Query(() => Me, { description: 'Who the bearer token says you are.' })
  me(@Ctx() ctx: GraphQLContext): Me {
    const p = requirePrincipal(ctx);
    return {
      subject: p.subject,
      organisationId: p.organisationId,
      jurisdiction: p.jurisdiction,
      roles: [...p.roles],
      patientId: p.patientId ?? null,
    };
  }
}
