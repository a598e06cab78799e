import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { ipsDocument } from '../../fhir/out/ips-document.js';
import { patientExport } from '../../fhir/out/patient-export.js';
import { searchEntry } from '../../fhir/out/resource-view.js';
import type { PartialFailure } from '../../access/records/partial-failure.js';
import { checkPatientId, checkStudy } from '../../domain/request-ids.js';
import type { Category, IpsResourceType } from '../../domain/fhir.js';
import type { PurposeOfUse } from '../../domain/purpose.js';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { toClinicalItem, toDemographics, toReceipt } from '../mappers.js';
import { PurposeOfUseEnum } from '../types/enums.js';
import { PatientSummary } from '../types/patient-summary.type.js';
import { RecordConnection } from '../types/record-connection.type.js';
import { RecordFilter } from '../types/record-filter.input.js';

const JUSTIFICATION_ARG = {
  nullable: true,
  description:
    "Break-glass: why emergency access is needed, in 10 to 500 characters; required with purpose ETREAT. Yields what TREAT would and the policy's emergency subset besides, flagged in the patient's access log and queued for review.",
} as const;

// Checked by the record service, which audits a refused claim before anything is read.
function justificationOf(justification: string | null | undefined): { justification?: string } {
  return justification == null ? {} : { justification: justification.trim() };
}

const STUDY_ARG = {
  nullable: true,
  description:
    'Research (HRESCH): the study the answer is for. Where the policy asks for de-identification, patient and record ids are pseudonyms stable per requesting organisation and study.',
} as const;

function studyOf(study: string | null | undefined): { study?: string } {
  if (study == null) return {};
  checkStudy(study, 'study', '`study`');
  return { study };
}

function report(ctx: GraphQLContext, path: string, failures: readonly PartialFailure[]): string[] {
  for (const failure of failures) ctx.partialFailures.push({ failure, path: [path] });
  return [...new Set(failures.filter((f) => f.code === 'REGION_UNAVAILABLE').map((f) => f.region))];
}

@Resolver(() => PatientSummary)
export class PatientResolver {
  @Query(() => PatientSummary, {
    description: "A patient's International Patient Summary, merged across every region that holds records.",
  })
  async patientSummary(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('purpose', () => PurposeOfUseEnum) purpose: PurposeOfUse,
    @Arg('justification', () => String, JUSTIFICATION_ARG) justification: string | undefined,
    @Arg('study', () => String, STUDY_ARG) study: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PatientSummary> {
    checkPatientId(patientId, 'patientId', '`patientId`');
    const result = await ctx.services.records.summary(requirePrincipal(ctx), patientId, purpose, {
      ...justificationOf(justification),
      ...studyOf(study),
    });
    const name = ctx.services.organisationName;
    const section = (category: Category): PatientSummary['problems'] =>
      result.records.filter((r) => r.category === category).map((r) => toClinicalItem(r, name));
    return {
      patientId: result.patientId,
      purpose,
      regions: [...result.regions],
      unavailableRegions: report(ctx, 'patientSummary', result.failures),
      demographics: result.records.filter((r) => r.category === 'patient').map((r) => toDemographics(r, name)),
      problems: section('problems'),
      allergies: section('allergies'),
      medications: section('medications'),
      immunizations: section('immunizations'),
      results: section('results'),
      procedures: section('procedures'),
      reports: section('reports'),
      receipt: toReceipt(result.receipt),
      answer: result,
    };
  }

  @FieldResolver(() => GraphQLJSONObject, {
    description:
      'The same summary as an IPS document Bundle (FHIR R4, as GET /fhir/Patient/{id}/$summary answers): Composition, Patient, the disclosed resources with their region as meta.source, Provenance, an OperationOutcome for what is missing, the receipt as an extension of the Composition.',
  })
  ipsBundle(@Root() summary: PatientSummary, @Ctx() ctx: GraphQLContext): Record<string, unknown> {
    const { answer } = summary;
    return ipsDocument({
      patientId: answer.patientId,
      records: answer.records,
      failures: answer.failures,
      receipt: answer.receipt,
      base: ctx.fhirBase,
      organisationName: ctx.services.organisationName,
    });
  }

  @Query(() => GraphQLJSONObject, {
    description:
      'A copy of all your data, for patients: every record of every region, your consents (FHIR Consent) and your access log (FHIR AuditEvent), as one FHIR R4 searchset Bundle, as GET /fhir/Patient/{id}/$everything streams it. Each page of records read is audited.',
  })
  async exportMyData(@Ctx() ctx: GraphQLContext): Promise<Record<string, unknown>> {
    const principal = requirePrincipal(ctx);
    const entry: Record<string, unknown>[] = [];
    for await (const resource of patientExport(ctx.services, principal, principal.patientId ?? '')) {
      entry.push(searchEntry(ctx.fhirBase, resource));
    }
    return { resourceType: 'Bundle', type: 'searchset', entry };
  }

  @Query(() => RecordConnection, { description: "A page of a patient's records across regions, newest first." })
  async records(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('purpose', () => PurposeOfUseEnum) purpose: PurposeOfUse,
    @Arg('filter', () => RecordFilter, { nullable: true }) filter: RecordFilter | undefined,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Arg('justification', () => String, JUSTIFICATION_ARG) justification: string | undefined,
    @Arg('study', () => String, STUDY_ARG) study: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RecordConnection> {
    checkPatientId(patientId, 'patientId', '`patientId`');
    const page = await ctx.services.records.records(requirePrincipal(ctx), {
      patientId,
      purpose,
      first,
      ...justificationOf(justification),
      ...studyOf(study),
      ...(after != null ? { after } : {}),
      filter: {
        ...(filter?.resourceTypes ? { resourceTypes: filter.resourceTypes as IpsResourceType[] } : {}),
        ...(filter?.categories ? { categories: filter.categories.map((c) => c.toLowerCase() as Category) } : {}),
        ...(filter?.since ? { since: filter.since } : {}),
      },
    });
    return {
      edges: page.edges.map((e) => ({
        cursor: e.cursor,
        node: toClinicalItem(e.record, ctx.services.organisationName),
      })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      regions: [...page.regions],
      unavailableRegions: report(ctx, 'records', page.failures),
      receipt: toReceipt(page.receipt),
    };
  }
}
