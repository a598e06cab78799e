import { MeridianError } from '../../domain/errors.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { MatchReview, PatientIndex } from '../../stores/patient-index.js';

/** Officers' view of probable patient matches that imports did not merge. */
export class PatientReviewService {
  readonly #index: PatientIndex;

  constructor(index: PatientIndex) {
    this.#index = index;
  }

  /** Open reviews, oldest first: pseudonymous ids and regions only, never names. */
  async open(principal: Principal, limit: number): Promise<MatchReview[]> {
    if (!hasRole(principal, 'compliance_officer'))
      throw new MeridianError('FORBIDDEN', 'Only compliance officers review probable patient matches.');
    return this.#index.openReviews(limit);
  }
}
