import path from 'node:path';
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

  it('allows no other origin by default, and takes exact browser origins from MERIDIAN_CORS_ORIGINS', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    const origins = 'https://app.hospital.example, http://127.0.0.1:5173';
    expect(loadConfig({ MERIDIAN_CORS_ORIGINS: origins }).corsOrigins).toEqual([
      'https://app.hospital.example',
      'http://127.0.0.1:5173',
    ]);
    expect(() => loadConfig({ MERIDIAN_CORS_ORIGINS: 'https://app.hospital.example/' })).toThrow(
      /MERIDIAN_CORS_ORIGINS: "https:\/\/app.hospital.example\/" is not an origin/,
    );
    expect(() => loadConfig({ MERIDIAN_CORS_ORIGINS: '*' })).toThrow(/MERIDIAN_CORS_ORIGINS/);
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

  it('gives the connection pools a connect timeout of their own, not the region deadline', () => {
    expect(loadConfig({}).database).toEqual({ poolSize: 10, connectTimeoutMs: 10_000 });
    const tuned = loadConfig({
      MERIDIAN_REGION_TIMEOUT_MS: '500',
      MERIDIAN_DB_POOL_SIZE: '32',
      MERIDIAN_DB_CONNECT_TIMEOUT_MS: '30000',
    });
    expect(tuned.regionTimeoutMs).toBe(500);
    expect(tuned.database).toEqual({ poolSize: 32, connectTimeoutMs: 30_000 });
    expect(() => loadConfig({ MERIDIAN_DB_POOL_SIZE: '0', MERIDIAN_DB_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(
      /MERIDIAN_DB_POOL_SIZE[\s\S]*MERIDIAN_DB_CONNECT_TIMEOUT_MS/,
    );
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
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/MERIDIAN_PSEUDONYM_KEY: required in production/);
  });

  it('reads the request limits, rate limits, Redis call bounds and token clock skew, with defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.limits).toMatchObject({ maxTokens: 2000, maxNesting: 32 });
    expect(defaults.protection).toEqual({
      rateLimit: { perAddress: 1200, perPrincipal: 600, windowSeconds: 60 },
      redisCalls: { timeoutMs: 200, breakerFailures: 5, breakerRetryMs: 2000 },
      tokenClockSkewSeconds: 60,
    });
    expect(Object.isFrozen(defaults.protection.rateLimit)).toBe(true);
    const set = loadConfig({
      MERIDIAN_MAX_TOKENS: '500',
      MERIDIAN_MAX_NESTING: '16',
      MERIDIAN_RATE_LIMIT_PER_ADDRESS: '0',
      MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '30',
      MERIDIAN_RATE_LIMIT_WINDOW_S: '10',
      MERIDIAN_REDIS_TIMEOUT_MS: '50',
      MERIDIAN_REDIS_BREAKER_FAILURES: '2',
      MERIDIAN_REDIS_BREAKER_RETRY_MS: '500',
      MERIDIAN_TOKEN_CLOCK_SKEW_S: '5',
    });
    expect(set.limits).toMatchObject({ maxTokens: 500, maxNesting: 16 });
    expect(set.protection).toEqual({
      rateLimit: { perAddress: 0, perPrincipal: 30, windowSeconds: 10 },
      redisCalls: { timeoutMs: 50, breakerFailures: 2, breakerRetryMs: 500 },
      tokenClockSkewSeconds: 5,
    });
    expect(() => loadConfig({ MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '-1', MERIDIAN_REDIS_TIMEOUT_MS: '0' })).toThrow(
      /MERIDIAN_RATE_LIMIT_PER_PRINCIPAL[\s\S]*MERIDIAN_REDIS_TIMEOUT_MS/,
    );
  });

  it('traces only with an OTLP endpoint, which must be an http(s) URL', () => {
    expect(loadConfig({}).tracing).toEqual({ otlpEndpoint: undefined, serviceName: 'meridian-gateway' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing.otlpEndpoint).toBe(
      'http://collector:4318',
    );
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/,
    );
  });

  describe('Fabric', () => {
    const fabricEnv = {
      MERIDIAN_FABRIC_PEER: 'peer0.org1.example.com:7051',
      MERIDIAN_FABRIC_MSP_ID: 'Org1MSP',
      MERIDIAN_FABRIC_CERT: 'fabric/gateway/cert.pem',
      MERIDIAN_FABRIC_KEY: 'fabric/gateway/key.pem',
    };

    it('uses the embedded ledger unless a peer is configured', () => {
      expect(loadConfig({}).fabric).toBeUndefined();
    });

    it('reads the peer, its defaults (channel and chaincode meridian) and absolute identity paths', () => {
      const config = loadConfig({ ...fabricEnv, MERIDIAN_FABRIC_WALLET: 'fabric/wallet' });
      expect(config.fabric).toEqual({
        peerEndpoint: 'peer0.org1.example.com:7051',
        tlsCaFile: undefined,
        hostnameOverride: undefined,
        channel: 'meridian',
        chaincode: 'meridian',
        mspId: 'Org1MSP',
        certFile: path.resolve('fabric/gateway/cert.pem'),
        keyFile: path.resolve('fabric/gateway/key.pem'),
        walletDir: path.resolve('fabric/wallet'),
      });
      expect(Object.isFrozen(config.fabric)).toBe(true);
    });

    it('takes TLS, a host name override, a channel and a chaincode name', () => {
      const config = loadConfig({
        ...fabricEnv,
        MERIDIAN_FABRIC_PEER: '127.0.0.1:7051',
        MERIDIAN_FABRIC_TLS_CA: '/etc/meridian/tlsca.pem',
        MERIDIAN_FABRIC_HOST_OVERRIDE: 'peer0.org1.example.com',
        MERIDIAN_FABRIC_CHANNEL: 'health-eu',
        MERIDIAN_FABRIC_CHAINCODE: 'meridian_v2',
      });
      expect(config.fabric).toMatchObject({
        tlsCaFile: '/etc/meridian/tlsca.pem',
        hostnameOverride: 'peer0.org1.example.com',
        channel: 'health-eu',
        chaincode: 'meridian_v2',
      });
    });

    it('requires the gateway identity with a peer, listing each missing variable', () => {
      expect(() => loadConfig({ MERIDIAN_FABRIC_PEER: 'peer0:7051' })).toThrow(
        /MERIDIAN_FABRIC_MSP_ID: required[\s\S]*MERIDIAN_FABRIC_CERT: required[\s\S]*MERIDIAN_FABRIC_KEY: required/,
      );
    });

    it('refuses a malformed peer or channel, and Fabric settings without a peer', () => {
      expect(() => loadConfig({ ...fabricEnv, MERIDIAN_FABRIC_PEER: 'peer0.org1.example.com' })).toThrow(
        /MERIDIAN_FABRIC_PEER: must be host:port/,
      );
      expect(() => loadConfig({ ...fabricEnv, MERIDIAN_FABRIC_CHANNEL: 'Meridian Channel' })).toThrow(
        /MERIDIAN_FABRIC_CHANNEL: must be a Fabric channel name/,
      );
      expect(() =>
        loadConfig({ MERIDIAN_FABRIC_WALLET: 'fabric/wallet', MERIDIAN_FABRIC_CHANNEL: 'meridian' }),
      ).toThrow(/MERIDIAN_FABRIC_CHANNEL: set, but MERIDIAN_FABRIC_PEER is not[\s\S]*MERIDIAN_FABRIC_WALLET: set, but/);
    });
  });
});
