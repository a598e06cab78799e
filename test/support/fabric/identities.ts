import { CertificateAuthority, type IssuedIdentity } from '../../../src/ledger/certificate-authority.js';

export {
  FABRIC_CA_ATTRIBUTES_OID,
  fabricCaAttributesJson,
  type IdentityType,
  type IssueOptions,
} from '../../../src/ledger/certificate-authority.js';

/** An MSP member as a Fabric client application holds it. */
export type TestIdentity = IssuedIdentity;

/** The root CA of one MSP. Its `{ mspId, certificatePem }` is what a peer trusts. */
export type TestCertificateAuthority = Pick<CertificateAuthority, 'mspId' | 'certificatePem' | 'issue'>;

/** Creates the self-signed root CA of `mspId`, e.g. `Org1MSP`. */
export function createTestCertificateAuthority(mspId: string): Promise<TestCertificateAuthority> {
  return CertificateAuthority.create(mspId);
}
