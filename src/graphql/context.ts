import type { Logger } from 'pino';
import { MeridianError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { PartialFailure, RecordService } from '../access/record-service.js';
import type { ConsentService } from '../access/consent-service.js';
import type { AuditService } from '../access/audit-service.js';
import type { PolicyService } from '../access/policy-service.js';
import type { DisclosureVerifier } from '../access/disclosure-verifier.js';
import type { PolicySimulator } from '../access/policy-simulation.js';
import type { BundleImporter } from '../access/records/bundle-importer.js';
import type { PatientReviewService } from '../access/records/patient-review-service.js';

/** What resolvers may call: services only, never a store or the ledger directly. */
export interface Services {
  readonly records: RecordService;
  readonly consents: ConsentService;
  readonly audit: AuditService;
  /** The jurisdiction policy lifecycle, and the verified active policies. */
  readonly policies: PolicyService;
  readonly disclosures: DisclosureVerifier;
  readonly simulator: PolicySimulator;
  /** FHIR bundles pushed by integration users. */
  readonly imports: BundleImporter;
  readonly patientReviews: PatientReviewService;
  /** Display name of an organisation, for provenance. */
  readonly organisationName: (id: string) => string | null;
}

export interface GraphQLContext {
  readonly requestId: string;
  /** Null when the request carried no bearer token. */
  readonly principal: Principal | null;
  readonly services: Services;
  readonly log: Logger;
  /** Errors beside the data: a region that did not answer does not fail the request. */
  readonly partialFailures: { failure: PartialFailure; path: readonly (string | number)[] }[];
}

/** The authenticated principal, or UNAUTHENTICATED. */
export function requirePrincipal(ctx: GraphQLContext): Principal {
  if (ctx.principal === null) {
    throw new MeridianError(
      'UNAUTHENTICATED',
      'Authentication required: send a bearer token in the Authorization header.',
    );
  }
  return ctx.principal;
}
