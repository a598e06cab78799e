import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { describeRedisTopology, parseRedisTopology } from './redis-topology.js';

describe('MERIDIAN_REDIS_URL picks the Redis topology', () => {
  it('one server for redis:// and rediss://, as before', () => {
    expect(loadConfig({ MERIDIAN_REDIS_URL: 'redis://cache:6379/2' }).cache.redis).toEqual({
      kind: 'server',
      url: 'redis://cache:6379/2',
    });
    expect(parseRedisTopology('rediss://u:p@cache.example:6380')).toEqual({
      kind: 'server',
      url: 'rediss://u:p@cache.example:6380',
    });
    expect(loadConfig({}).cache.redis).toBeUndefined();
  });

  it('a Redis Cluster from its seed nodes, with credentials and TLS for every node', () => {
    const config = loadConfig({
      MERIDIAN_REDIS_URL: 'rediss+cluster://gw:s%3Acret@10.0.0.1:7000,10.0.0.2,[fd00::3]:7002',
    });
    expect(config.cache.redisUrl).toBe('rediss+cluster://gw:s%3Acret@10.0.0.1:7000,10.0.0.2,[fd00::3]:7002');
    expect(config.cache.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: 'fd00::3', port: 7002 },
      ],
      username: 'gw',
      password: 's:cret',
      tls: true,
    });
  });

  it('a Sentinel-managed master by name, with an optional database', () => {
    expect(parseRedisTopology('redis+sentinel://:pw@s1:26379,s2/meridian-cache/3')).toEqual({
      kind: 'sentinel',
      masterName: 'meridian-cache',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      database: 3,
      username: undefined,
      password: 'pw',
      tls: false,
    });
    expect(describeRedisTopology(parseRedisTopology('redis+sentinel://:pw@s1,s2:1/m'))).toBe(
      'sentinel s1:26379,s2:1 master m',
    );
  });

  it('refuses a malformed URL at start, naming the variable and the fault but not the password', () => {
    const bad = (url: string): string => {
      try {
        loadConfig({ MERIDIAN_REDIS_URL: url });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`${url} was accepted`);
    };
    expect(bad('http://cache:6379')).toMatch(/MERIDIAN_REDIS_URL: must be redis:\/\/host:port .* redis\+cluster:\/\//);
    expect(bad('redis+sentinel://:hunter2@s1:26379')).toMatch(
      /MERIDIAN_REDIS_URL: a Sentinel URL ends in \/<master-name>/,
    );
    expect(bad('redis+sentinel://:hunter2@s1:26379')).not.toContain('hunter2');
    expect(bad('redis+cluster://a:1,b:99999')).toMatch(/"b:99999" is not host:port/);
    expect(bad('redis+cluster://a:1/0')).toMatch(/has no path/);
  });
});
