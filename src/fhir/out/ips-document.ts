import type { DisclosureReceipt } from '../../domain/audit-event.js';
import { summariseResource } from '../../domain/clinical-item.js';
import type { Category, FhirResource } from '../../domain/fhir.js';
import type { StoredRecord } from '../../domain/record.js';
import { GLOBAL_ID_SYSTEM } from '../patient-identifiers.js';
import { outcomeIssue, operationOutcome } from './operation-outcome.js';
import { receiptExtension } from './receipt-extension.js';
import { servedResource } from './resource-view.js';

const LOINC = 'http://loinc.org';

/**
 * The IPS sections Meridian fills, in the IPS order, with their LOINC codes
 * (IPS Composition-uv-ips): problems, allergies and medications are required and always
 * present, empty with an emptyReason when nothing was disclosed; the others only with entries.
 */
const SECTIONS: readonly {
  readonly code: string;
  readonly display: string;
  readonly title: string;
  readonly categories: readonly Category[];
  readonly required: boolean;
}[] = [
  { code: '11450-4', display: 'Problem list - Reported', title: 'Problems', categories: ['problems'], required: true },
  {
    code: '48765-2',
    display: 'Allergies and adverse reactions Document',
    title: 'Allergies and Intolerances',
    categories: ['allergies'],
    required: true,
  },
  {
    code: '10160-0',
    display: 'History of Medication use Narrative',
    title: 'Medication Summary',
    categories: ['medications'],
    required: true,
  },
  {
    code: '11369-6',
    display: 'History of Immunization Narrative',
    title: 'Immunizations',
    categories: ['immunizations'],
    required: false,
  },
  {
    code: '30954-2',
    display: 'Relevant diagnostic tests/laboratory data Narrative',
    title: 'Results',
    categories: ['results', 'reports'],
    required: false,
  },
  {
    code: '47519-4',
    display: 'History of Procedures Document',
    title: 'History of Procedures',
    categories: ['procedures'],
    required: false,
  },
];

/** The organisation that assembles the document (its author): the gateway, in the bundle. */
const AUTHOR: FhirResource = {
  resourceType: 'Organization',
  id: 'meridian',
  name: 'Meridian health information exchange',
};

export interface IpsDocumentInput {
  /** The patient id the answer is about (global, or a pseudonym when de-identified). */
  readonly patientId: string;
  readonly records: readonly StoredRecord[];
  /** Why parts of the answer are missing: each becomes an issue of the document's OperationOutcome. */
  readonly failures: readonly { readonly code: string; readonly region: string; readonly message: string }[];
  readonly receipt: DisclosureReceipt;
  /** The FHIR base URL entries' fullUrls are under (`…/fhir`). */
  readonly base: string;
  /** Display name of an organisation id, for provenance. */
  readonly organisationName: (id: string) => string | null;
}

/**
 * An International Patient Summary document (IPS Bundle-uv-ips): the Composition first, then
 * the Patient, the disclosed resources of every region with `meta.source` naming it, one
 * Provenance per region and source organisation, and, when parts were withheld or missing,
 * an OperationOutcome saying why. The disclosure receipt is an extension of the Composition.
 */
export function ipsDocument(input: IpsDocumentInput): FhirResource {
  const { patientId, base, receipt } = input;
  const patient = mergedPatient(input.patientId, input.records);
  const clinical = input.records.filter((r) => r.category !== 'patient');
  const served = clinical.map((r) => ({ record: r, resource: servedResource(r, patientId) }));
  const ref = (r: FhirResource): string => `${r.resourceType}/${r.id ?? ''}`;
  const composition: FhirResource = {
    resourceType: 'Composition',
    id: receipt.decisionId,
    // A Bundle has no extensions in R4: the receipt is the Composition's, the document's root.
    extension: [receiptExtension(receipt)],
    status: 'final',
    type: { coding: [{ system: LOINC, code: '60591-5', display: 'Patient summary Document' }] },
    subject: { reference: `Patient/${patientId}` },
    date: receipt.at.toISOString(),
    author: [{ reference: ref(AUTHOR), display: String(AUTHOR.name) }],
    title: 'International Patient Summary',
    section: SECTIONS.flatMap((section) => {
      const entries = served.filter((s) => section.categories.includes(s.record.category));
      if (entries.length === 0 && !section.required) return [];
      return [
        {
          title: section.title,
          code: { coding: [{ system: LOINC, code: section.code, display: section.display }] },
          text: { status: 'generated', div: narrative(entries.map((e) => e.record)) },
          ...(entries.length > 0
            ? { entry: entries.map((e) => ({ reference: ref(e.resource) })) }
            : {
                emptyReason: {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason',
                      // Something may be missing for a reason the OperationOutcome gives; otherwise nothing is known.
                      code: input.failures.length > 0 ? 'unavailable' : 'nilknown',
                    },
                  ],
                },
              }),
        },
      ];
    }),
  };
  const resources: FhirResource[] = [
    composition,
    patient,
    AUTHOR,
    ...served.map((s) => s.resource),
    ...provenances(served, receipt.at, input.organisationName),
  ];
  const entries = resources.map((resource) => ({ fullUrl: `${base}/${ref(resource)}`, resource }));
  if (input.failures.length > 0) {
    const outcome = operationOutcome(
      input.failures.map((f) => outcomeIssue(f.code, f.message, { severity: 'warning' })),
      `${receipt.decisionId}.outcome`,
    );
    entries.push({
      fullUrl: `${base}/OperationOutcome/${outcome.id ?? ''}`,
      resource: outcome as unknown as FhirResource,
    });
  }
  return {
    resourceType: 'Bundle',
    id: receipt.decisionId,
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${receipt.decisionId}` },
    type: 'document',
    timestamp: receipt.at.toISOString(),
    entry: entries,
  };
}

/**
 * One Patient for the document: the most recently updated regional Patient (the records
 * come newest first), identified by the patient id asked for, with every region's identifiers.
 */
export function mergedPatient(patientId: string, records: readonly StoredRecord[]): FhirResource {
  const patients = records.filter((r) => r.category === 'patient');
  const newest = patients[0];
  const identifiers = new Map<string, unknown>();
  for (const p of patients) {
    const list = p.resource.identifier;
    for (const id of Array.isArray(list) ? (list as Record<string, unknown>[]) : []) {
      identifiers.set(`${String(id.system)}|${String(id.value)}`, id);
    }
  }
  identifiers.set(`${GLOBAL_ID_SYSTEM}|${patientId}`, { system: GLOBAL_ID_SYSTEM, value: patientId });
  const base = newest ? servedResource(newest, patientId) : { resourceType: 'Patient', id: patientId };
  return { ...base, identifier: [...identifiers.values()] };
}

function provenances(
  served: readonly { record: StoredRecord; resource: FhirResource }[],
  at: Date,
  organisationName: (id: string) => string | null,
): FhirResource[] {
  const groups = new Map<string, { record: StoredRecord; refs: string[] }>();
  for (const { record, resource } of served) {
    const key = `${record.region}|${record.sourceOrg}`;
    const group = groups.get(key) ?? { record, refs: [] };
    group.refs.push(`${resource.resourceType}/${resource.id ?? ''}`);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ record, refs }, i) => ({
    resourceType: 'Provenance',
    id: `${record.region}.provenance-${i + 1}`,
    target: refs.map((reference) => ({ reference })),
    recorded: at.toISOString(),
    agent: [
      {
        type: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }],
        },
        who: {
          identifier: { system: 'urn:meridian:organisation', value: record.sourceOrg },
          display: organisationName(record.sourceOrg) ?? record.sourceOrgName ?? record.sourceOrg,
        },
      },
    ],
    entity: [{ role: 'source', what: { display: `region ${record.region}` } }],
  }));
}

/** A section's narrative: one line per entry (display, date, value, status), escaped XHTML. */
function narrative(records: readonly StoredRecord[]): string {
  if (records.length === 0) return '<div xmlns="http://www.w3.org/1999/xhtml"><p>No information.</p></div>';
  const items = records.map((r) => {
    const s = summariseResource(r.resource);
    const parts = [s.display ?? r.resourceType, s.value, s.date, s.status].filter((p): p is string => p !== null);
    return `<li>${escapeXml(parts.join(' · '))}</li>`;
  });
  return `<div xmlns="http://www.w3.org/1999/xhtml"><ul>${items.join('')}</ul></div>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
