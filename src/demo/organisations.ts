import type { RegionConfig } from '../config/regions.js';
import type { Role } from '../domain/principal.js';
import type { Organisation, Persona } from '../stores/control-plane.js';

/** The partner hospitals of the default regions; any other region gets a generic one. */
const KNOWN_HOSPITALS: Readonly<Record<string, { id: string; name: string }>> = {
  'eu-de': { id: 'charite-berlin', name: 'Charité – Universitätsmedizin Berlin' },
  'eu-fr': { id: 'aphp-paris', name: 'Assistance Publique – Hôpitaux de Paris' },
  'us-ma': { id: 'mgh-boston', name: 'Massachusetts General Hospital' },
};

/** The demo hospital of a region: configuration alone decides it, so a new region needs no code. */
export function hospitalOf(region: RegionConfig): Organisation {
  const known = KNOWN_HOSPITALS[region.id];
  return {
    id: known?.id ?? `hospital-${region.id}`,
    name: known?.name ?? `Hospital (${region.id})`,
    jurisdiction: region.jurisdiction,
  };
}

/**
 * The patient identity provider of a jurisdiction (a national eID or patient-portal service):
 * the only kind of organisation whose tokens may name a patient.
 */
export function patientIdentityProviderOf(jurisdiction: string): Organisation {
  return {
    id: `patient-id-${jurisdiction.toLowerCase()}`,
    name: `Patient identity service (${jurisdiction})`,
    jurisdiction,
  };
}

/** One patient identity provider per jurisdiction of the configured regions. */
export function demoPatientIdentityProviders(regions: readonly RegionConfig[]): Organisation[] {
  return [...new Set(regions.map((r) => r.jurisdiction))].map(patientIdentityProviderOf);
}

/** One hospital per configured region, in region order, then the jurisdictions' patient identity providers. */
export function demoOrganisations(regions: readonly RegionConfig[]): Organisation[] {
  return [...regions.map(hospitalOf), ...demoPatientIdentityProviders(regions)];
}

interface StaffPersona {
  readonly name: string;
  readonly displayName: string;
  readonly role: Role;
  readonly organisationId: string;
}

const STAFF: readonly StaffPersona[] = [
  { name: 'dr-weber', displayName: 'Dr. Anna Weber', role: 'clinician', organisationId: 'charite-berlin' },
  { name: 'dr-martin', displayName: 'Dr. Claire Martin', role: 'clinician', organisationId: 'aphp-paris' },
  { name: 'dr-johnson', displayName: 'Dr. Emily Johnson', role: 'clinician', organisationId: 'mgh-boston' },
  {
    name: 'officer-schmidt',
    displayName: 'Thomas Schmidt',
    role: 'compliance_officer',
    organisationId: 'charite-berlin',
  },
  { name: 'officer-dubois', displayName: 'Isabelle Dubois', role: 'compliance_officer', organisationId: 'aphp-paris' },
  { name: 'officer-miller', displayName: 'Robert Miller', role: 'compliance_officer', organisationId: 'mgh-boston' },
  { name: 'auditor-klein', displayName: 'Petra Klein', role: 'auditor', organisationId: 'charite-berlin' },
  // Interface engines: push FHIR bundles into their hospital's region (importBundle).
  {
    name: 'integration-charite',
    displayName: 'Charité interface engine',
    role: 'integration',
    organisationId: 'charite-berlin',
  },
  {
    name: 'integration-aphp',
    displayName: 'AP-HP interface engine',
    role: 'integration',
    organisationId: 'aphp-paris',
  },
  { name: 'integration-mgh', displayName: 'MGH interface engine', role: 'integration', organisationId: 'mgh-boston' },
];

/** Clinicians, compliance officers and the auditor of the hospitals that exist in this configuration. */
export function staffPersonas(organisations: readonly Organisation[]): Persona[] {
  const ids = new Set(organisations.map((o) => o.id));
  return STAFF.filter((p) => ids.has(p.organisationId)).map((p) => ({ ...p, patientId: null }));
}

/**
 * The persona of a demo patient, signed in through the patient identity provider of their
 * home region's jurisdiction. The control plane holds no patient names, so the display name
 * is the pseudonymous global id.
 */
export function patientPersona(globalId: string, home: RegionConfig): Persona {
  return {
    name: `patient-${globalId}`,
    displayName: `Patient ${globalId}`,
    role: 'patient',
    organisationId: patientIdentityProviderOf(home.jurisdiction).id,
    patientId: globalId,
  };
}
