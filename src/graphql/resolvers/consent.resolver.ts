import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toConsentType, toGrantRequest } from '../consent-mappers.js';
import { Consent } from '../types/consent.type.js';
import { GrantConsentInput } from '../types/grant-consent.input.js';

@Resolver()
export class ConsentResolver {
  @Mutation(() => Consent, {
    description:
      'Grants a consent (or, with kind DENY, an objection) as the patient signed in. Its content hash is anchored on the ledger before it is stored.',
  })
  async grantConsent(
    @Arg('input', () => GrantConsentInput) input: GrantConsentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Consent> {
    return toConsentType(await ctx.services.consents.grant(requirePrincipal(ctx), toGrantRequest(input)));
  }

  @Mutation(() => Consent, {
    description:
      "Revokes one of the signed-in patient's consents, effective when answered (anchored on the ledger and stored). Revoking a revoked consent returns it unchanged.",
  })
  async revokeConsent(@Arg('consentId', () => ID) consentId: string, @Ctx() ctx: GraphQLContext): Promise<Consent> {
    return toConsentType(await ctx.services.consents.revoke(requirePrincipal(ctx), consentId));
  }

  @Query(() => [Consent], { description: "The signed-in patient's consents and objections, newest first." })
  async myConsents(@Ctx() ctx: GraphQLContext): Promise<Consent[]> {
    return (await ctx.services.consents.list(requirePrincipal(ctx))).map(toConsentType);
  }
}
