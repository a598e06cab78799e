import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { ImportSummary } from '../../access/import/import-service.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { ImportReport } from '../types/import-report.type.js';

function toReport(s: ImportSummary): ImportReport {
  return {
    ...s,
    skipped: Object.entries(s.skipped)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([resourceType, count]) => ({ resourceType, count })),
    patients: s.patients.map((p) => ({ ...p, probableMatch: p.probableMatch ?? null })),
  };
}

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportReport, {
    description:
      "Imports a FHIR R4 Bundle (document, transaction, batch, collection or searchset) into a region of the caller's jurisdiction, all or nothing, as the caller's organisation. For integration users. Invalid FHIR is refused with BAD_USER_INPUT listing each entry and field.",
  })
  async importBundle(
    @Arg('region', () => String) region: string,
    @Arg('bundle', () => GraphQLJSONObject) bundle: Record<string, unknown>,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ImportReport> {
    return toReport(await ctx.services.imports.import(requirePrincipal(ctx), region, bundle));
  }
}
