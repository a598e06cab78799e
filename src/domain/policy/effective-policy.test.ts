import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { effectivePolicy, type EffectivePolicy } from './effective-policy.js';
import { overlayLoosenings } from './overlay-check.js';
import { resolvePolicy } from './policy-chain.js';
import {
  parsePolicyDocument,
  type OverlayPolicyDocument,
  type PolicyDocument,
  type RootPolicyDocument,
} from './policy-document.js';

function shipped(name: string): PolicyDocument {
  const text = readFileSync(new URL(`../../../policies/${name}.json`, import.meta.url), 'utf8');
  return parsePolicyDocument(JSON.parse(text));
}

const EU = shipped('eu') as RootPolicyDocument;
const US = shipped('us') as RootPolicyDocument;
const DE = shipped('de') as OverlayPolicyDocument;
const SHIPPED = [EU, shipped('uk'), US, DE];

function overlay(rules: unknown, extra: Record<string, unknown> = {}): OverlayPolicyDocument {
  const doc = {
    format: 'meridian-policy/1',
    jurisdiction: 'XX',
    extends: 'EU',
    framework: 'test',
    version: '1',
    covers: ['XX'],
    rules,
    ...extra,
  };
  return parsePolicyDocument(doc) as OverlayPolicyDocument;
}

function resolved(code: string, policies: readonly PolicyDocument[] = SHIPPED): EffectivePolicy {
  const r = resolvePolicy(code, policies);
  if (!r.ok) throw new Error(`unresolved: ${JSON.stringify(r.reason)}`);
  return r.policy;
}

describe('policy chains', () => {
  it.each([
    ['DE', ['EU', 'DE']],
    ['DE-BY', ['EU', 'DE']],
    ['FR', ['EU']],
    ['NO', ['EU']],
    ['US-MA', ['US']],
    ['US', ['US']],
    ['PR', ['US']],
    ['GB', ['UK']],
  ])('%s resolves to %j', (code, chain) => {
    expect(resolved(code).chain).toEqual(chain);
    expect(resolved(code).family).toBe(chain[0]);
  });

  it('records the exact versions of every policy in the chain', () => {
    expect(resolved('DE').sources).toEqual([
      { jurisdiction: 'EU', version: '2025.3' },
      { jurisdiction: 'DE', version: '2025.1' },
    ]);
  });

  it('denies a jurisdiction no policy covers', () => {
    expect(resolvePolicy('JP', SHIPPED)).toEqual({ ok: false, reason: { code: 'NO_POLICY', jurisdiction: 'JP' } });
  });

  it('denies an overlay whose parent is not active', () => {
    expect(resolvePolicy('DE', [DE, US])).toEqual({
      ok: false,
      reason: { code: 'POLICY_CHAIN_BROKEN', jurisdiction: 'DE', missing: 'EU' },
    });
  });

  it('denies a jurisdiction two active versions claim', () => {
    const eu2 = { ...EU, version: '2025.4' };
    expect(resolvePolicy('FR', [...SHIPPED, eu2])).toEqual({
      ok: false,
      reason: { code: 'POLICY_AMBIGUOUS', jurisdiction: 'FR' },
    });
  });

  it('denies a jurisdiction claimed by two unrelated policies', () => {
    const rival = { ...US, jurisdiction: 'XU', covers: ['FR'] } as RootPolicyDocument;
    expect(resolvePolicy('FR', [...SHIPPED, rival])).toMatchObject({ ok: false, reason: { code: 'POLICY_AMBIGUOUS' } });
  });

  it('denies a cycle of overlays instead of looping', () => {
    const a = overlay({}, { jurisdiction: 'AA', extends: 'BB', covers: ['AA'] });
    const b = overlay({}, { jurisdiction: 'BB', extends: 'AA', covers: ['BB'] });
    expect(resolvePolicy('AA', [a, b])).toMatchObject({ ok: false, reason: { code: 'POLICY_CHAIN_BROKEN' } });
  });
});

describe('overlay merging: an overlay tightens, never loosens', () => {
  const eu = effectivePolicy(EU);

  it('the DE overlay makes genetic data need explicit consent even under break-glass', () => {
    const de = resolved('DE');
    expect(eu.sensitive.GDIS.breakGlass).toBe('release');
    expect(de.sensitive.GDIS.breakGlass).toBe('explicit_consent');
    expect(de.sensitive.PSY).toEqual(eu.sensitive.PSY);
    expect(de.purposes).toEqual(eu.purposes);
    expect(de.frameworks).toEqual(['GDPR + EHDS', 'BDSG + GenDG']);
  });

  it('ignores every attempt to loosen', () => {
    const loose = effectivePolicy(EU, [
      overlay({
        consentDefault: 'opt_out',
        purposes: {
          HRESCH: {
            allowed: true,
            legalBasis: 'public_interest',
            explicitConsent: false,
            categories: ['patient', 'results'],
          },
          TREAT: {
            allowed: true,
            legalBasis: 'healthcare_professional_secrecy',
            explicitConsent: false,
            categories: ['results'],
            roles: ['clinician', 'auditor'],
          },
        },
        sensitive: {
          SEX: { requires: [], whenWithheld: 'reported', exemptPurposes: ['PATRQT', 'TREAT'], breakGlass: 'release' },
        },
        crossBorder: {
          adequate: ['UK', 'US'],
          otherwise: 'allow',
          exemptPurposes: ['PATRQT', 'HRESCH'],
          breakGlassDerogation: true,
          withinFamily: 'allow',
        },
        breakGlass: {
          allowed: true,
          roles: ['clinician', 'patient'],
          purposes: ['ETREAT', 'TREAT'],
          categories: ['patient', 'results'],
          maxDurationMinutes: 10_000,
          obligations: [],
          overridesObjection: true,
        },
      }),
    ]);
    expect(loose.purposes.HRESCH).toMatchObject({ consentRequired: true, categories: ['results'] });
    expect(loose.purposes.HRESCH.legalBases).toEqual(['research_with_safeguards', 'public_interest']);
    expect(loose.purposes.HOPERAT.consentRequired).toBe(true);
    expect(loose.purposes.TREAT).toMatchObject({ categories: ['results'], roles: ['clinician'] });
    expect(loose.sensitive.SEX).toMatchObject({
      requires: ['explicit_consent'],
      whenWithheld: 'hidden',
      exemptPurposes: ['PATRQT'],
      breakGlass: 'explicit_consent',
    });
    expect(loose.crossBorder).toMatchObject({
      adequate: ['UK'],
      otherwise: 'explicit_consent',
      exemptPurposes: ['PATRQT'],
      withinFamily: 'explicit_consent',
    });
    expect(loose.breakGlass).toMatchObject({
      roles: ['clinician'],
      purposes: ['ETREAT'],
      categories: ['patient'],
      maxDurationMinutes: 240,
      obligations: ['notify_patient', 'post_hoc_review'],
    });
  });

  it('applies every tightening', () => {
    const tight = effectivePolicy(EU, [
      overlay({
        purposes: {
          PUBHLTH: { allowed: false },
          TREAT: { allowed: true, legalBasis: 'consent', explicitConsent: true, categories: ['patient'] },
        },
        sensitive: {
          HIV: { requires: ['never_cross_border'], whenWithheld: 'hidden', exemptPurposes: [], breakGlass: 'withhold' },
        },
        crossBorder: { adequate: [], otherwise: 'deny', exemptPurposes: [], breakGlassDerogation: false },
        breakGlass: {
          ...EU.rules.breakGlass,
          maxDurationMinutes: 60,
          obligations: ['notify_privacy_officer'],
          overridesObjection: false,
        },
      }),
    ]);
    expect(tight.purposes.PUBHLTH.allowed).toBe(false);
    expect(tight.purposes.TREAT).toMatchObject({ consentRequired: true, categories: ['patient'] });
    expect(tight.sensitive.HIV).toMatchObject({
      requires: ['explicit_consent', 'never_cross_border'],
      exemptPurposes: [],
      breakGlass: 'withhold',
    });
    expect(tight.crossBorder).toMatchObject({ adequate: [], otherwise: 'deny', breakGlassDerogation: false });
    expect(tight.breakGlass).toMatchObject({
      maxDurationMinutes: 60,
      obligations: ['notify_patient', 'post_hoc_review', 'notify_privacy_officer'],
      overridesObjection: false,
    });
  });

  it('within-family exchange defaults to allow; an overlay may require consent, and leaving it out inherits', () => {
    expect(effectivePolicy(US).crossBorder.withinFamily).toBe('allow');
    expect(effectivePolicy(EU).crossBorder.withinFamily).toBe('explicit_consent');
    const usOverlay = (crossBorder: unknown): OverlayPolicyDocument =>
      overlay({ crossBorder }, { extends: 'US', jurisdiction: 'US-XX', covers: ['US-XX'] });
    const strict = usOverlay({ ...US.rules.crossBorder, withinFamily: 'explicit_consent' });
    expect(effectivePolicy(US, [strict]).crossBorder.withinFamily).toBe('explicit_consent');
    expect(overlayLoosenings(US, [], strict)).toEqual([]);
    const silent = overlay({ crossBorder: { ...EU.rules.crossBorder, withinFamily: undefined } });
    expect(effectivePolicy(EU, [silent]).crossBorder.withinFamily).toBe('explicit_consent');
    expect(overlayLoosenings(EU, [], silent)).toEqual([]);
  });

  it('an overlay switching to opt-in makes inherited consent-based purposes need consent', () => {
    const optOutRoot = { ...EU, rules: { ...EU.rules, consentDefault: 'opt_out' } } as RootPolicyDocument;
    expect(effectivePolicy(optOutRoot).purposes.HOPERAT.consentRequired).toBe(false);
    expect(effectivePolicy(optOutRoot, [overlay({ consentDefault: 'opt_in' })]).purposes.HOPERAT.consentRequired).toBe(
      true,
    );
    // Purposes on another legal basis are not consent-based: opt-in leaves them alone.
    expect(effectivePolicy(optOutRoot, [overlay({ consentDefault: 'opt_in' })]).purposes.TREAT.consentRequired).toBe(
      false,
    );
  });
});

describe('overlayLoosenings', () => {
  it('finds nothing to ignore in the shipped DE overlay', () => {
    expect(overlayLoosenings(EU, [], DE)).toEqual([]);
  });

  it('names every looser value an overlay states', () => {
    const loose = overlay({
      consentDefault: 'opt_out',
      purposes: {
        TREAT: {
          allowed: true,
          legalBasis: 'healthcare_professional_secrecy',
          explicitConsent: false,
          categories: ['results'],
          roles: ['clinician', 'auditor'],
        },
        HRESCH: {
          allowed: true,
          legalBasis: 'public_interest',
          explicitConsent: false,
          categories: ['patient', 'results'],
        },
      },
      sensitive: {
        SEX: { requires: [], whenWithheld: 'reported', exemptPurposes: ['PATRQT', 'TREAT'], breakGlass: 'release' },
      },
      crossBorder: {
        adequate: ['UK', 'US'],
        otherwise: 'allow',
        exemptPurposes: ['PATRQT'],
        breakGlassDerogation: true,
        withinFamily: 'allow',
      },
      breakGlass: { ...EU.rules.breakGlass, maxDurationMinutes: 600, obligations: ['notify_patient'] },
    });
    expect(overlayLoosenings(EU, [], loose)).toEqual([
      'rules.consentDefault: opt_out is ignored: an overlay can only tighten the policy it extends',
      'rules.purposes.TREAT.roles: auditor is ignored: an overlay can only tighten the policy it extends',
      'rules.purposes.HRESCH.categories: patient is ignored: an overlay can only tighten the policy it extends',
      'rules.purposes.HRESCH.explicitConsent: false is ignored: an overlay can only tighten the policy it extends',
      'rules.sensitive.SEX.requires: leaving out explicit_consent is ignored: an overlay can only tighten the policy it extends',
      'rules.sensitive.SEX.whenWithheld: reported is ignored: an overlay can only tighten the policy it extends',
      'rules.sensitive.SEX.exemptPurposes: TREAT is ignored: an overlay can only tighten the policy it extends',
      'rules.sensitive.SEX.breakGlass: release is ignored: an overlay can only tighten the policy it extends',
      'rules.crossBorder.adequate: US is ignored: an overlay can only tighten the policy it extends',
      'rules.crossBorder.otherwise: allow is ignored: an overlay can only tighten the policy it extends',
      'rules.crossBorder.withinFamily: allow is ignored: an overlay can only tighten the policy it extends',
      'rules.breakGlass.maxDurationMinutes: 600 is ignored: an overlay can only tighten the policy it extends',
      'rules.breakGlass.obligations: leaving out post_hoc_review is ignored: an overlay can only tighten the policy it extends',
    ]);
  });

  it('checks an overlay against the whole chain above it', () => {
    const strict = overlay(
      { breakGlass: { ...EU.rules.breakGlass, allowed: false } },
      { jurisdiction: 'AA', covers: ['AA'] },
    );
    const child = overlay(
      { breakGlass: { ...EU.rules.breakGlass } },
      { jurisdiction: 'BB', extends: 'AA', covers: ['BB'] },
    );
    expect(overlayLoosenings(EU, [strict], child)).toEqual([
      'rules.breakGlass.allowed: true is ignored: an overlay can only tighten the policy it extends',
    ]);
  });
});
