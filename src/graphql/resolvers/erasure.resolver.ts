import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { ErasureReceipt } from '../types/erasure.type.js';

@Resolver()
export class ErasureResolver {
  @Mutation(() => ErasureReceipt, {
    description:
      "Erases a patient's data (GDPR art. 17): records in every region, the patient-index entry, consents, care relationships, access codes, notifications, and what is cached; the ledger keeps only hashes, and audit events the law requires are kept, pseudonymised. The patient themself, or a compliance officer of a jurisdiction holding the records with the reference of the verified request. Cannot be undone.",
  })
  async erasePatient(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('requestReference', () => String, {
      nullable: true,
      description: "An officer's reference to the patient's verified request; a patient gives none.",
    })
    requestReference: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ErasureReceipt> {
    const receipt = await ctx.services.erasures.erase(requirePrincipal(ctx), patientId, requestReference);
    return { ...receipt, regions: [...receipt.regions] };
  }
}
