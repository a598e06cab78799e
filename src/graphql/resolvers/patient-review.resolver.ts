import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { PatientMatchReview } from '../types/patient-match-review.type.js';

@Resolver()
export class PatientReviewResolver {
  @Query(() => [PatientMatchReview], {
    description: 'Probable patient matches waiting for review, oldest first. For compliance officers.',
  })
  async patientMatchReviews(
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PatientMatchReview[]> {
    return ctx.services.patientReviews.open(requirePrincipal(ctx), Math.min(Math.max(first, 1), 1000));
  }
}
