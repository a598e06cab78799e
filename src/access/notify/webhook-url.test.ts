import { describe, expect, it } from 'vitest';
import { MeridianError } from '../../domain/errors.js';
import { checkWebhookUrl, isLocalAddress, webhookLookup } from './webhook-url.js';

function refusal(url: string, allowLocal = false): string | null {
  try {
    checkWebhookUrl(url, allowLocal);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(MeridianError);
    expect((err as MeridianError).details).toEqual({ field: 'url' });
    return (err as MeridianError).message;
  }
}

function resolves(host: string, allowLocal: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    webhookLookup(allowLocal)(host, {}, (err, address) => {
      if (err) reject(err);
      else resolve(typeof address === 'string' ? address : JSON.stringify(address));
    });
  });
}

describe('where a webhook may point', () => {
  it('takes a public https URL', () => {
    expect(refusal('https://app.example.org/hooks/meridian?x=1')).toBeNull();
    expect(refusal('https://203.0.113.7:8443/hook')).toBeNull();
  });

  it('refuses plain http, other schemes, credentials and what is not a URL', () => {
    expect(refusal('http://app.example.org/hook')).toMatch(/must be an https:\/\/ URL/);
    expect(refusal('ftp://app.example.org/hook', true)).toMatch(/http:\/\/ or https:\/\//);
    expect(refusal('https://user:secret@app.example.org/hook')).toMatch(/user name or password/);
    expect(refusal('/relative/hook')).toMatch(/not an absolute URL/);
    expect(refusal(`https://example.org/${'a'.repeat(2100)}`)).toMatch(/longer than 2048/);
  });

  it.each([
    'https://localhost/hook',
    'https://api.localhost/hook',
    'https://127.0.0.1/hook',
    'https://10.1.2.3/hook',
    'https://172.20.0.1/hook',
    'https://192.168.1.10/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/hook',
    'https://0.0.0.0/hook',
    'https://[::1]/hook',
    'https://[fd00::1]/hook',
    'https://[fe80::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://2130706433/hook', // 127.0.0.1 as one number: WHATWG URL parsing normalises it
  ])('refuses %s unless local webhooks are allowed', (url) => {
    expect(refusal(url)).toMatch(/local or private address/);
    expect(refusal(url.replace('https:', 'http:'), true)).toBeNull();
  });

  it('classifies addresses, mapped IPv4 as IPv4', () => {
    expect(isLocalAddress('8.8.8.8')).toBe(false);
    expect(isLocalAddress('2001:4860:4860::8888')).toBe(false);
    expect(isLocalAddress('::ffff:10.0.0.1')).toBe(true);
    expect(isLocalAddress('not-an-ip')).toBe(true);
  });

  it('refuses, at delivery, a name that resolves to a local address', async () => {
    await expect(resolves('localhost', false)).rejects.toThrow(/resolves to .*a local address/);
    expect(await resolves('localhost', true)).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
