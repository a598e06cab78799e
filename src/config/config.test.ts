import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded setup: three regions on PGlite in ./.meridian, port 4000, demo data', () => {
    const config = loadConfig({});
    expect(config.regions.map((r) => `${r.id}=${r.jurisdiction}`)).toEqual(['eu-de=DE', 'eu-fr=FR', 'us-ma=US-MA']);
    expect(config.port).toBe(4000);
    expect(config.controlDatabase.kind).toBe('pglite');
    expect(config.regionDatabases['eu-fr']).toMatchObject({ kind: 'pglite' });
    expect(config.dataDir).toMatch(/\.meridian$/);
    expect(config.seedDemo).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes a fourth region from configuration alone', () => {
    const config = loadConfig({ MERIDIAN_REGIONS: 'eu-de=DE,eu-fr=FR,us-ma=US-MA,uk-ldn=GB' });
    expect(config.regions.map((r) => r.id)).toContain('uk-ldn');
    expect(config.regionDatabases['uk-ldn']).toMatchObject({ kind: 'pglite' });
  });

  it('uses PostgreSQL when every URL is set', () => {
    const config = loadConfig({
      MERIDIAN_REGIONS: 'eu-de=DE',
      MERIDIAN_CONTROL_URL: 'postgresql://db/control',
      MERIDIAN_REGION_EU_DE_URL: 'postgresql://db/eu_de',
    });
    expect(config.controlDatabase).toEqual({ kind: 'postgres', url: 'postgresql://db/control' });
    expect(config.regionDatabases['eu-de']).toEqual({ kind: 'postgres', url: 'postgresql://db/eu_de' });
    expect(config.seedDemo).toBe(false);
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MERIDIAN_REGIONS: 'eu-de=DE,Bad Region=xx',
        LOG_LEVEL: 'loud',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/MERIDIAN_REGIONS.*Bad Region/);
    expect(problems).toMatch(/LOG_LEVEL/);
  });

  it('refuses a partial set of database URLs, naming what is missing', () => {
    expect(() =>
      loadConfig({ MERIDIAN_CONTROL_URL: 'postgresql://db/control', MERIDIAN_REGION_EU_DE_URL: 'mysql://db/x' }),
    ).toThrow(
      /MERIDIAN_REGION_EU_DE_URL: must be a postgres[\s\S]*MERIDIAN_REGION_EU_FR_URL: required[\s\S]*MERIDIAN_REGION_US_MA_URL: required/,
    );
    expect(() => loadConfig({ MERIDIAN_REGION_XX_YY_URL: 'postgresql://db/x' })).toThrow(/no region xx-yy/);
  });

  it('requires organisation keys in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/MERIDIAN_ORG_KEYS_FILE: required in production/);
  });
});
