import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { badInput } from '../../domain/errors.js';
import { grantOfFhirConsent } from '../../fhir/out/consent-resource.js';
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
    @Arg('input', () => GrantConsentInput, { nullable: true }) input: GrantConsentInput | undefined,
    @Arg('fhir', () => GraphQLJSONObject, {
      nullable: true,
      description:
        'Instead of `input`: the consent as a FHIR R4 Consent resource (as GET /fhir/Consent renders them), validated as R4 and then as `input` is.',
    })
    fhir: Record<string, unknown> | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Consent> {
    const principal = requirePrincipal(ctx);
    if ((input == null) === (fhir == null)) {
      throw badInput('Give the consent either as `input` or as `fhir` (a FHIR Consent), not both or neither.');
    }
    const request = input != null ? toGrantRequest(input) : await grantOfFhirConsent(fhir);
    return toConsentType(await ctx.services.consents.grant(principal, request));
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
