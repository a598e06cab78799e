import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toActivePoliciesType, toPolicyDiffType, toPolicyVersionType } from '../policy-mappers.js';
import { ActivePolicies, PolicyDiff, PolicyVersion } from '../types/policy.type.js';
import { PolicySimulation } from '../types/policy-simulation.type.js';

@Resolver()
export class PolicyResolver {
  @Mutation(() => PolicyVersion, {
    description:
      "Drafts a new version of a jurisdiction's policy (format meridian-policy/1), as a compliance officer the policy covers. Validated (an overlay must not loosen what it extends), its hash anchored on the ledger, stored as DRAFT.",
  })
  async draftPolicy(
    @Arg('document', () => GraphQLJSONObject) document: Record<string, unknown>,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PolicyVersion> {
    return toPolicyVersionType(await ctx.services.policies.draft(requirePrincipal(ctx), document));
  }

  @Mutation(() => PolicyVersion, {
    description: 'Approves a draft, as a compliance officer other than its author (four eyes). Anchored, then stored.',
  })
  async approvePolicy(
    @Arg('jurisdiction', () => String) jurisdiction: string,
    @Arg('version', () => String) version: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PolicyVersion> {
    return toPolicyVersionType(await ctx.services.policies.approve(requirePrincipal(ctx), jurisdiction, version));
  }

  @Mutation(() => PolicyVersion, {
    description:
      'Activates an approved version: anchored on the ledger (PolicyActivated), the previous version superseded. Decisions use it from the next request.',
  })
  async activatePolicy(
    @Arg('jurisdiction', () => String) jurisdiction: string,
    @Arg('version', () => String) version: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PolicyVersion> {
    return toPolicyVersionType(await ctx.services.policies.activate(requirePrincipal(ctx), jurisdiction, version));
  }

  @Query(() => PolicyDiff, { description: "What a version changes against its jurisdiction's active version." })
  async policyDiff(
    @Arg('jurisdiction', () => String) jurisdiction: string,
    @Arg('version', () => String) version: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PolicyDiff> {
    return toPolicyDiffType(await ctx.services.policies.diff(requirePrincipal(ctx), jurisdiction, version));
  }

  @Query(() => [PolicyVersion], { description: "A jurisdiction's policy versions, newest first." })
  async policyHistory(
    @Arg('jurisdiction', () => String) jurisdiction: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PolicyVersion[]> {
    return (await ctx.services.policies.history(requirePrincipal(ctx), jurisdiction)).map(toPolicyVersionType);
  }

  @Query(() => ActivePolicies, {
    description: 'The active policy versions decisions are judged by, each verified against the ledger now.',
  })
  async activePolicies(@Ctx() ctx: GraphQLContext): Promise<ActivePolicies> {
    return toActivePoliciesType(await ctx.services.policies.activePolicies(requirePrincipal(ctx)));
  }

  @Query(() => PolicySimulation, {
    description:
      'Replays the latest audited requests under the active policies and with this stored draft in place of its active version, and lists every decision that would change. Before activation.',
  })
  async simulatePolicy(
    @Arg('jurisdiction', () => String) jurisdiction: string,
    @Arg('version', () => String) version: string,
    @Arg('recent', () => Int, { defaultValue: 500, description: 'How many of the latest audited requests to replay.' })
    recent: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PolicySimulation> {
    const report = await ctx.services.simulator.simulate(requirePrincipal(ctx), jurisdiction, version, recent);
    return {
      replayed: report.replayed,
      skipped: report.skipped,
      changed: report.changed.map((c) => ({
        ...c,
        before: {
          outcome: c.before.outcome,
          regions: c.before.regions.map((r) => ({ ...r, categories: [...r.categories] })),
        },
        after: {
          outcome: c.after.outcome,
          regions: c.after.regions.map((r) => ({ ...r, categories: [...r.categories] })),
        },
      })),
    };
  }
}
