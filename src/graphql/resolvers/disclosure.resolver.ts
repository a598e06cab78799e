import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { DisclosureReceiptInput, DisclosureVerification } from '../types/disclosure-verification.type.js';

@Resolver()
export class DisclosureResolver {
  @Query(() => DisclosureVerification, {
    description:
      'Proves a disclosure receipt against the ledger. For the requesting organisation, the patient concerned, compliance officers and auditors.',
  })
  async verifyDisclosure(
    @Arg('receipt', () => DisclosureReceiptInput) receipt: DisclosureReceiptInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DisclosureVerification> {
    const result = await ctx.services.disclosures.verify(requirePrincipal(ctx), receipt);
    return { ...result, checks: result.checks.map((c) => ({ ...c })) };
  }
}
