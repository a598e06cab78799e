import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { CliDeps } from './cli-deps.js';
import { registerDemo } from './demo.command.js';
import { registerImport } from './import.command.js';

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const deps: CliDeps = {
    loadConfig: () => loadConfig({ MERIDIAN_DATA_DIR: '/nonexistent/meridian', ...env }),
    openStores: () => Promise.reject(new Error('this command must not open databases')),
    openLedger: () => Promise.reject(new Error('this command must not open the ledger')),
    out: (text) => out.push(text),
    err: () => undefined,
  };
  const program = new Command('meridian').exitOverride();
  registerDemo(program, deps);
  registerImport(program, deps);
  return { out, run: (...args: string[]) => program.parseAsync(args, { from: 'user' }) };
}

describe('meridian demo', () => {
  it('prints personas and demo patients as JSON without touching a database', async () => {
    const { out, run } = cli({ MERIDIAN_DEMO_PATIENTS: '4' });
    await run('demo', '--json');
    const listing = JSON.parse(out.join('')) as {
      personas: Record<string, unknown>[];
      patients: Record<string, unknown>[];
    };
    expect(Object.keys(listing)).toEqual(['personas', 'patients']);
    expect(listing.personas[0]).toEqual({
      name: 'dr-weber',
      displayName: 'Dr. Anna Weber',
      role: 'clinician',
      organisation: 'charite-berlin',
      jurisdiction: 'DE',
    });
    const p0 = listing.patients[0]!;
    expect(Object.keys(p0)).toEqual(['id', 'name', 'homeRegion', 'regions', 'crossBorder']);
    expect(p0).toMatchObject({ homeRegion: 'eu-fr', regions: ['eu-fr', 'eu-de'], crossBorder: true });
    expect(listing.patients).toHaveLength(4);
    const own = listing.personas.find((p) => p.patientId === p0.id);
    expect(own).toEqual({
      name: `patient-${String(p0.id)}`,
      displayName: `Patient ${String(p0.id)}`,
      role: 'patient',
      organisation: 'patient-id-fr',
      jurisdiction: 'FR',
      patientId: p0.id,
    });
  });

  it('prints tables by default, and --patients overrides the configured count', async () => {
    const { out, run } = cli();
    await run('demo', '--patients', '3');
    const text = out.join('\n');
    expect(text).toMatch(/^NAME\s+DISPLAY NAME\s+ROLE\s+ORGANISATION\s+JURISDICTION$/m);
    expect(text).toMatch(/^dr-johnson\s+Dr\. Emily Johnson\s+clinician\s+mgh-boston\s+US-MA$/m);
    expect(text).toContain('Demo patients (3, 3 with records in more than one region)');
  });
});

describe('meridian import', () => {
  it('names the configured regions when the region is unknown', async () => {
    const { run } = cli();
    await expect(run('import', 'bundle.json', '--region', 'eu-xx')).rejects.toThrow(
      'unknown region "eu-xx"; configured regions: eu-de, eu-fr, us-ma',
    );
  });
});
