/** HL7 v3 PurposeOfUse codes Meridian accepts for a disclosure. */
export const PURPOSES_OF_USE = ['TREAT', 'ETREAT', 'HPAYMT', 'HOPERAT', 'HRESCH', 'PUBHLTH', 'PATRQT'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

export const PURPOSE_DESCRIPTIONS: Readonly<Record<PurposeOfUse, string>> = {
  TREAT: 'treatment',
  ETREAT: 'emergency treatment (break-glass)',
  HPAYMT: 'healthcare payment',
  HOPERAT: 'healthcare operations',
  HRESCH: 'healthcare research',
  PUBHLTH: 'public health',
  PATRQT: 'patient requested',
};

export function isPurposeOfUse(value: string): value is PurposeOfUse {
  return (PURPOSES_OF_USE as readonly string[]).includes(value);
}
