import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JSONSerializer } from 'fabric-contract-api';
import { contracts } from '../src/index.js';

interface TransactionMetadata {
  name: string;
  tag: string[];
  parameters?: { name: string; schema: { type?: string } }[];
  returns?: { type?: string };
}

// The class fabric-chaincode-node builds at start-up from the package's
// `contracts`; it fails on decorator metadata a peer could not serve.
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract.js') as new (
  contracts: unknown[],
  serializers: unknown,
  metadata: unknown,
  title: string,
  version: string,
) => { metadata: { contracts: Record<string, { transactions: TransactionMetadata[] }> } };

function load(): Record<string, { transactions: TransactionMetadata[] }> {
  const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
  return new ChaincodeFromContract(contracts, serializers, {}, 'meridian-chaincode', '0.1.0').metadata.contracts;
}

function signatures(transactions: TransactionMetadata[]): string[] {
  return transactions.map((t) => {
    const params = (t.parameters ?? []).map((p) => `${p.name}:${p.schema.type ?? '?'}`).join(', ');
    return `${t.tag.includes('SUBMIT') ? 'submit' : 'evaluate'} ${t.name}(${params}): ${t.returns?.type ?? 'void'}`;
  });
}

describe('chaincode metadata as a peer sees it', () => {
  const metadata = load();

  it('serves the policy, consent, batch, patient and care contracts', () => {
    assert.deepEqual(Object.keys(metadata).sort(), [
      'batch',
      'care',
      'consent',
      'org.hyperledger.fabric',
      'patient',
      'policy',
    ]);
  });

  it('exposes the care transactions with their argument order', () => {
    assert.deepEqual(signatures(metadata['care']!.transactions), [
      'submit recordCareRelationship(relationshipId:string, patientRef:string, hash:string, expiresAt:string): string',
      'submit endCareRelationship(relationshipId:string): string',
      'evaluate getCareRelationship(relationshipId:string): string',
    ]);
  });

  it('exposes the policy transactions with their argument order', () => {
    assert.deepEqual(signatures(metadata['policy']!.transactions), [
      'submit recordPolicyVersion(jurisdiction:string, version:string, hash:string, author:string): string',
      'submit approvePolicyVersion(jurisdiction:string, version:string, approver:string): string',
      'submit activatePolicyVersion(jurisdiction:string, version:string): string',
      'evaluate getActivePolicy(jurisdiction:string): string',
      'evaluate getPolicyVersion(jurisdiction:string, version:string): string',
      'evaluate getPolicyHistory(jurisdiction:string): string',
    ]);
  });

  it('exposes the consent transactions with their argument order', () => {
    assert.deepEqual(signatures(metadata['consent']!.transactions), [
      'submit recordConsent(consentId:string, patientRef:string, hash:string, version:string, kind:string): string',
      'submit revokeConsent(consentId:string, reason:string): string',
      'evaluate getConsentStatus(consentId:string): string',
      'evaluate getEpochs(patientRef:string): string',
      'evaluate getConsentHistory(consentId:string): string',
    ]);
  });

  it('exposes the batch transactions with their argument order', () => {
    assert.deepEqual(signatures(metadata['batch']!.transactions), [
      'submit anchorBatch(batchId:string, kind:string, region:string, merkleRoot:string, count:string, fromTime:string, toTime:string): string',
      'submit anchorChainBatch(batchId:string, kind:string, region:string, merkleRoot:string, count:string, fromTime:string, toTime:string, headSeq:string, headHash:string): string',
      'evaluate getChainHead(kind:string, region:string): string',
      'evaluate getBatch(batchId:string): string',
    ]);
  });

  it('exposes the patient-index transactions with their argument order', () => {
    assert.deepEqual(signatures(metadata['patient']!.transactions), [
      'submit recordPatientIndex(entries:string): string',
      'evaluate getPatientState(patientRef:string): string',
      'submit erasePatient(patientRef:string, erasureId:string): string',
    ]);
  });
});
