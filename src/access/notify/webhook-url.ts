import { lookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { badInput } from '../../domain/errors.js';

/**
 * Addresses a patient's webhook may not reach unless local webhooks are allowed: this machine,
 * private and shared networks, link-local (cloud metadata services), multicast and reserved.
 * Otherwise anyone who can register a webhook could make the gateway call its own network.
 */
const LOCAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  LOCAL.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  LOCAL.addSubnet(net, bits, 'ipv6');
}

const MAX_URL_LENGTH = 2048;

/** Whether an IP address is one a webhook may not reach (IPv4-mapped IPv6 as its IPv4 address). */
export function isLocalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return LOCAL.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The webhook URL a patient registers, checked: https (http too where local webhooks are
 * allowed), no credentials in it, and not a local address written out. Names are checked
 * again when each delivery resolves them (`webhookLookup`), so a name that later points home
 * gets nothing either.
 * @throws BAD_USER_INPUT naming `url`.
 */
export function checkWebhookUrl(raw: string, allowLocal: boolean): URL {
  const refuse = (why: string): never => {
    throw badInput(`url ${why}.`, { field: 'url' });
  };
  if (raw.length > MAX_URL_LENGTH) refuse(`is longer than ${String(MAX_URL_LENGTH)} characters`);
  if (!URL.canParse(raw)) refuse('is not an absolute URL');
  const url = new URL(raw);
  if (url.protocol !== 'https:' && !(allowLocal && url.protocol === 'http:')) {
    refuse(allowLocal ? 'must be an http:// or https:// URL' : 'must be an https:// URL');
  }
  if (url.username !== '' || url.password !== '') refuse('may not carry a user name or password');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (
    !allowLocal &&
    (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isLocalAddress(host)))
  ) {
    refuse('names a local or private address, which this gateway does not deliver to');
  }
  return url;
}

/** A DNS lookup for deliveries that fails on a local address, unless local webhooks are allowed. */
export function webhookLookup(allowLocal: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const refused = allowLocal ? undefined : addresses.find((a) => isLocalAddress(a.address));
      if (refused !== undefined) {
        callback(new Error(`${hostname} resolves to ${refused.address}, a local address`), '', 0);
        return;
      }
      if (options.all === true) {
        callback(null, addresses);
        return;
      }
      const [first] = addresses;
      if (first === undefined) callback(new Error(`${hostname} has no address`), '', 0);
      else callback(null, first.address, first.family);
    });
  };
}
