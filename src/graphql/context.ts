import type { CareService } from '../access/care/care-service.js';
import type { ErasureService } from '../access/erasure/erasure-service.js';
import type { NotificationService } from '../access/notify/notification-service.js';
import type { Logger } from 'pino';
import { MeridianError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { PartialFailure } from '../access/records/partial-failure.js';
import type { RecordService } from '../access/records/record-service.js';
import type { ConsentService } from '../access/consent/consent-service.js';
import type { AuditChainVerifier } from '../access/audit/audit-chain-verifier.js';
import type { AuditService } from '../access/audit/audit-service.js';
import type { PolicyService } from '../access/policy/policy-service.js';
import type { DisclosureVerifier } from '../access/audit/disclosure-verifier.js';
import type { PolicySimulator } from '../access/policy/policy-simulation.js';
import type { BundleImporter } from '../access/import/bundle-importer.js';
import type { PatientReviewService } from '../access/import/patient-review-service.js';

/** What resolvers may call: services only, never a store or the ledger directly. */
export interface Services {
  readonly records: RecordService;
  readonly consents: ConsentService;
  readonly care: CareService;
  readonly erasures: ErasureService;
  /** The patients' webhooks and notifications. */
  readonly notifications: NotificationService;
  readonly audit: AuditService;
  /** Verifies the audit chain against its checkpoint and the ledger. */
  readonly auditChain: AuditChainVerifier;
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
  /** The FHIR API's base URL (fullUrls of an IPS document answered through GraphQL). */
  readonly fhirBase: string;
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
