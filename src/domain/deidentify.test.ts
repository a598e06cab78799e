import { describe, expect, it } from 'vitest';
import { deidentifyRecord, pseudonymsFor } from './deidentify.js';
import type { StoredRecord } from './record.js';

const SECRET = Buffer.alloc(32, 7);

/** A MedicationRequest as Synthea writes it, with what a hospital adds: identifiers, notes, people, encounters. */
const record: StoredRecord = {
  region: 'us-ma',
  resourceType: 'MedicationRequest',
  resourceId: 'b6e3f1a0-mrn-4471',
  patientId: 'local-pat-889',
  category: 'medications',
  sensitivity: [],
  sourceOrg: 'mgh-boston',
  lastUpdated: new Date('2023-05-17T09:21:44Z'),
  contentHash: 'x',
  resource: {
    resourceType: 'MedicationRequest',
    id: 'b6e3f1a0-mrn-4471',
    meta: {
      lastUpdated: '2023-05-17T09:21:44Z',
      source: 'urn:mgh:ehr',
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }],
    },
    text: { status: 'generated', div: '<div>Jane Doe, MRN 4471: sertraline</div>' },
    identifier: [{ system: 'urn:oid:1.2.840.114350', value: 'RX-99812' }],
    contained: [
      {
        resourceType: 'Medication',
        id: 'med1',
        code: {
          coding: [
            { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '312938', display: 'sertraline 50 MG' },
          ],
        },
      },
    ],
    status: 'active',
    intent: 'order',
    medicationReference: { reference: '#med1' },
    subject: { reference: 'Patient/local-pat-889', display: 'Jane Doe' },
    encounter: { reference: 'Encounter/enc-5512' },
    requester: { reference: 'Practitioner/dr-77', display: 'Dr. Smith' },
    authoredOn: '2023-05-17T09:21:44-04:00',
    note: [{ text: 'Patient called from 617-555-0100' }],
    dosageInstruction: [{ text: 'one tablet daily', timing: { repeat: { boundsPeriod: { start: '2023-05-17' } } } }],
  },
};

describe('deidentifyRecord (Safe Harbor)', () => {
  const pseudonyms = pseudonymsFor(SECRET, 'univ-research', 'study-1');
  const out = deidentifyRecord(record, pseudonyms, 'mp-0001');
  const text = JSON.stringify(out);

  it('leaves no identifier of the patient, the record, the encounter or the people involved', () => {
    for (const leak of [
      'local-pat-889',
      'b6e3f1a0',
      'RX-99812',
      'enc-5512',
      'dr-77',
      'Smith',
      'Jane',
      '617-555',
      'mp-0001',
      'urn:mgh',
    ])
      expect(text, leak).not.toContain(leak);
  });

  it('keeps dates to the year, and the clinical content and its labels', () => {
    expect(JSON.stringify(out.resource)).not.toMatch(/2023-/);
    expect(out.resource).toMatchObject({
      resourceType: 'MedicationRequest',
      status: 'active',
      authoredOn: '2023',
      medicationReference: { reference: '#med1' },
      contained: [
        { resourceType: 'Medication', id: 'med1', code: { coding: [{ code: '312938', display: 'sertraline 50 MG' }] } },
      ],
      dosageInstruction: [{ text: 'one tablet daily', timing: { repeat: { boundsPeriod: { start: '2023' } } } }],
      meta: { security: [{ code: 'PSY' }] },
    });
    expect(out.lastUpdated.toISOString()).toBe('2023-01-01T00:00:00.000Z');
    expect(out.sensitivity).toEqual([]);
  });

  it('names the patient by a pseudonym, stable per requester and study and different across them', () => {
    expect(out.patientId).toMatch(/^ps-[0-9a-f]{24}$/);
    expect(out.resource.subject).toEqual({ reference: `Patient/${out.patientId}` });
    expect(deidentifyRecord(record, pseudonymsFor(SECRET, 'univ-research', 'study-1'), 'mp-0001')).toEqual(out);
    const otherStudy = deidentifyRecord(record, pseudonymsFor(SECRET, 'univ-research', 'study-2'), 'mp-0001');
    const otherRequester = deidentifyRecord(record, pseudonymsFor(SECRET, 'pharma-inc', 'study-1'), 'mp-0001');
    for (const other of [otherStudy, otherRequester]) {
      expect(other.patientId).not.toBe(out.patientId);
      expect(other.resourceId).not.toBe(out.resourceId);
    }
  });
});
