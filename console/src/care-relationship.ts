/** A care relationship as the patient's and the clinician's pages read it. */
export interface CareRelationship {
  id: string;
  patientId: string;
  organisationId: string;
  organisationName: string | null;
  openedAt: string;
  expiresAt: string;
  status: string;
  endedAt: string | null;
  openTxId: string;
  endTxId: string | null;
}

export const CARE_FIELDS =
  'id patientId organisationId organisationName openedAt expiresAt status endedAt openTxId endTxId';

/** The organisation's name where the gateway knows it, else its id. */
export function organisationText(r: Pick<CareRelationship, 'organisationId' | 'organisationName'>): string {
  return r.organisationName ?? r.organisationId;
}
