import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import type { Config } from '../src/config/config.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { startGateway, type Gateway } from '../src/main.js';
import type { BenchPatient } from './environment.js';
import {
  activeConsents,
  consentDenials,
  disclosedItems,
  grantTreatmentConsent,
  mapLimit,
  readSummary,
  revokeConsent,
} from './meridian-api.js';

export interface RevocationSpec {
  /** Configuration of gateways A (grants and revokes) and B (reads): the cached one; each gets a port of its own. */
  readonly config: Config;
  /** The same databases with the cache off: the reference for what may be disclosed without consent. */
  readonly referenceConfig: Config;
  /** The ledger all the gateways share, as gateways of one network share Fabric. */
  readonly ledger: Ledger;
  readonly candidates: readonly BenchPatient[];
  readonly clinicianToken: string;
  readonly trials: number;
  readonly concurrency: number;
  readonly onProgress: (text: string) => void;
}

export interface RevocationResult {
  readonly trials: number;
  /** B's read after the revocation disclosed something only the revoked consent permitted. */
  readonly staleReads: number;
  /** Regions whose items the stale reads disclosed, with how many stale reads disclosed each. */
  readonly staleRegions: Readonly<Record<string, number>>;
  /** B withheld a region but did not say CONSENT_REVOKED or CONSENT_REQUIRED for it. */
  readonly missingDenials: number;
  /** B's read right after the grant did not disclose anything more than without consent. */
  readonly grantNotVisible: number;
  /** Trials that could not be run to the end (a grant, revoke or read failed). */
  readonly failedTrials: number;
  readonly firstFailure: string | null;
  /** Patients rotated over, and the regions withheld from the clinician without their consent. */
  readonly patients: number;
  readonly consentRegions: Readonly<Record<string, number>>;
  readonly seconds: number;
  /** Milliseconds from A acknowledging the revocation to B's answer. */
  readonly readAfterRevokeMs: { readonly p50: number; readonly p99: number };
}

/** A patient of the check, with what the clinician may see without the patient's consent. */
interface Subject extends BenchPatient {
  /** Items the uncached reference discloses to the clinician with no consent in force. */
  readonly withoutConsent: ReadonlySet<string>;
  /** Regions withheld (wholly or in part) for want of consent. */
  readonly consentRegions: ReadonlySet<string>;
}

interface Gateways {
  readonly a: Gateway;
  readonly b: Gateway;
  readonly reference: Gateway;
}

/**
 * Starts gateways A and B in this process on the same databases, Redis prefix and ledger object,
 * and for each trial: the patient grants through A, B reads (and may cache), the patient revokes
 * through A, and B reads again at once. A stale read is B still disclosing an item that the
 * uncached reference gateway does not disclose without consent.
 */
export async function revocationCheck(spec: RevocationSpec): Promise<RevocationResult> {
  const logger = pino({ level: 'silent' });
  const started: Gateway[] = [];
  const start = async (config: Config): Promise<Gateway> => {
    const gateway = await startGateway(config, logger, { ledger: spec.ledger });
    started.push(gateway);
    return gateway;
  };
  try {
    // A and B differ in their port only; their ports name their event checkpoints in the data folder.
    const gateways = {
      a: await start({ ...spec.config, port: await freePort() }),
      b: await start({ ...spec.config, port: await freePort() }),
      reference: await start(spec.referenceConfig),
    };
    return await runTrials(spec, gateways);
  } finally {
    for (const gateway of started.reverse()) await gateway.close();
  }
}

function freePort(): Promise<number> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

interface Tally {
  trials: number;
  staleReads: number;
  missingDenials: number;
  grantNotVisible: number;
  failedTrials: number;
  firstFailure: string | null;
  readonly staleRegions: Record<string, number>;
  readonly readAfterRevoke: number[];
}

function count(tally: Tally, outcome: TrialOutcome | Error): void {
  tally.trials++;
  if (outcome instanceof Error) {
    tally.failedTrials++;
    tally.firstFailure ??= outcome.message;
    return;
  }
  if (outcome.staleRegions.size > 0) tally.staleReads++;
  for (const region of outcome.staleRegions) tally.staleRegions[region] = (tally.staleRegions[region] ?? 0) + 1;
  if (outcome.missingDenial) tally.missingDenials++;
  if (!outcome.grantVisible) tally.grantNotVisible++;
  tally.readAfterRevoke.push(outcome.readAfterRevokeMs);
}

async function runTrials(spec: RevocationSpec, gateways: Gateways): Promise<RevocationResult> {
  spec.onProgress(`preparing ${spec.candidates.length} candidate patients (revoking the consents they granted)`);
  const subjects = (await mapLimit(spec.candidates, 8, (p) => subjectOf(p, gateways, spec.clinicianToken))).filter(
    (s): s is Subject => s !== null,
  );
  if (subjects.length === 0) throw new Error('no seeded patient has records that a DE clinician needs consent for');
  const consentRegions: Record<string, number> = {};
  for (const s of subjects) for (const r of s.consentRegions) consentRegions[r] = (consentRegions[r] ?? 0) + 1;

  const tally: Tally = {
    trials: 0,
    staleReads: 0,
    missingDenials: 0,
    grantNotVisible: 0,
    failedTrials: 0,
    firstFailure: null,
    staleRegions: {},
    readAfterRevoke: [],
  };
  const lanes = Math.min(spec.concurrency, subjects.length);
  const started = performance.now();
  let lastReport = started;
  const lane = async (l: number): Promise<void> => {
    // Each lane has patients of its own, so no patient is in two trials at once.
    const own = subjects.filter((_, i) => i % lanes === l);
    const trials = Math.floor(spec.trials / lanes) + (l < spec.trials % lanes ? 1 : 0);
    for (let k = 0; k < trials; k++) {
      count(
        tally,
        await trial(own[k % own.length]!, gateways, spec.clinicianToken).catch((err: unknown) => err as Error),
      );
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        spec.onProgress(`${tally.trials}/${spec.trials} trials, ${tally.staleReads} stale`);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
  const sorted = Float64Array.from(tally.readAfterRevoke).sort();
  const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return {
    trials: tally.trials,
    staleReads: tally.staleReads,
    staleRegions: tally.staleRegions,
    missingDenials: tally.missingDenials,
    grantNotVisible: tally.grantNotVisible,
    failedTrials: tally.failedTrials,
    firstFailure: tally.firstFailure,
    patients: subjects.length,
    consentRegions,
    seconds: (performance.now() - started) / 1000,
    readAfterRevokeMs: { p50: at(0.5), p99: at(0.99) },
  };
}

/**
 * Revokes the consents the patient has in force (the load phase granted one), then asks the
 * uncached reference as the clinician what it discloses without consent. Null when nothing is
 * withheld for want of consent (every record is the clinician's to see anyway).
 */
async function subjectOf(patient: BenchPatient, g: Gateways, clinicianToken: string): Promise<Subject | null> {
  for (const id of await activeConsents(g.a.url, patient.token)) await revokeConsent(g.a.url, patient.token, id);
  const probe = await readSummary(g.reference.url, clinicianToken, patient.globalId);
  if (probe.status !== 200) throw new Error(`reference read of ${patient.globalId}: HTTP ${probe.status}`);
  const denied = consentDenials(probe);
  if (denied.size === 0) return null;
  return {
    ...patient,
    withoutConsent: disclosedItems(probe.data?.patientSummary ?? null),
    consentRegions: new Set(denied.keys()),
  };
}

interface TrialOutcome {
  readonly grantVisible: boolean;
  /** Regions of the items disclosed after the revocation that need consent. */
  readonly staleRegions: ReadonlySet<string>;
  readonly missingDenial: boolean;
  readonly readAfterRevokeMs: number;
}

/** Items of `answer` the clinician may not see without consent, by region. */
function beyondConsentFree(subject: Subject, answer: ReadonlySet<string>): Set<string> {
  return new Set([...answer].filter((item) => !subject.withoutConsent.has(item)).map((item) => item.split('/')[0]!));
}

async function trial(subject: Subject, g: Gateways, clinicianToken: string): Promise<TrialOutcome> {
  const consentId = await grantTreatmentConsent(g.a.url, subject, clinicianToken);
  const warm = await readSummary(g.b.url, clinicianToken, subject.globalId);
  const grantVisible = beyondConsentFree(subject, disclosedItems(warm.data?.patientSummary ?? null)).size > 0;
  await revokeConsent(g.a.url, subject.token, consentId);
  const revokedAt = performance.now();
  const after = await readSummary(g.b.url, clinicianToken, subject.globalId);
  const readAfterRevokeMs = performance.now() - revokedAt;
  if (after.status !== 200) throw new Error(`read after revocation: HTTP ${after.status}`);
  const staleRegions = beyondConsentFree(subject, disclosedItems(after.data?.patientSummary ?? null));
  const denials = consentDenials(after);
  return {
    grantVisible,
    staleRegions,
    missingDenial: [...subject.consentRegions].some((r) => !denials.has(r)),
    readAfterRevokeMs,
  };
}
