import type { DisclosureReceipt } from '../../domain/audit-event.js';

/** The identifier system of access decisions (a disclosure's decision id, as its receipt names it). */
export const DECISION_SYSTEM = 'urn:meridian:decision';

/** The extension that carries a disclosure receipt on what the FHIR API answers. */
export const RECEIPT_EXTENSION = 'urn:meridian:fhir:extension:disclosure-receipt';

/**
 * The receipt as a FHIR extension: the decision id and audit hash `verifyDisclosure` proves
 * against the ledger, the outcome, and each policy and consent version with its anchor.
 */
export function receiptExtension(receipt: DisclosureReceipt): Record<string, unknown> {
  const part = (url: string, value: Record<string, unknown>): Record<string, unknown> => ({ url, ...value });
  return {
    url: RECEIPT_EXTENSION,
    extension: [
      part('decisionId', { valueString: receipt.decisionId }),
      part('at', { valueInstant: receipt.at.toISOString() }),
      part('outcome', { valueCode: receipt.outcome }),
      part('breakGlass', { valueBoolean: receipt.breakGlass }),
      part('auditHash', { valueString: receipt.auditHash }),
      ...receipt.policies.map((p) =>
        part('policy', { valueString: `${p.jurisdiction} ${p.version} ${p.hash} tx ${p.txId}` }),
      ),
      ...receipt.consents.map((c) => part('consent', { valueString: `${c.id} ${c.version} ${c.hash} tx ${c.txId}` })),
    ],
  };
}
