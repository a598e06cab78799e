/** One Redis node's address. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Credentials and TLS, the same for every node of a topology. */
export interface RedisAccess {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

/**
 * Which Redis the gateway talks to, as `MERIDIAN_REDIS_URL` names it:
 * - `server`: one Redis (`redis://` / `rediss://`, node-redis `createClient`);
 * - `cluster`: a Redis Cluster from seed nodes (`redis+cluster://h1:p1,h2:p2`, `createCluster`);
 * - `sentinel`: the master of a Sentinel-managed group (`redis+sentinel://s1:p1,s2:p2/name`,
 *   `createSentinel`), followed across failovers.
 */
export type RedisTopology =
  | { readonly kind: 'server'; readonly url: string }
  | (RedisAccess & { readonly kind: 'cluster'; readonly nodes: readonly RedisNodeAddress[] })
  | (RedisAccess & {
      readonly kind: 'sentinel';
      readonly masterName: string;
      readonly sentinels: readonly RedisNodeAddress[];
      readonly database: number | undefined;
    });

const DEFAULT_PORT = { cluster: 6379, sentinel: 26379 } as const;
const MULTI = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/u;

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
function nodeAddress(text: string, defaultPort: number): RedisNodeAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/u.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`"${text}" is not host:port`);
  }
  return { host, port };
}

function access(scheme: string, userinfo: string | undefined): RedisAccess {
  const [user = '', ...rest] = (userinfo ?? '').split(':');
  const password = rest.length > 0 ? decodeURIComponent(rest.join(':')) : undefined;
  return {
    username: user === '' ? undefined : decodeURIComponent(user),
    password: password === '' ? undefined : password,
    tls: scheme === 'rediss',
  };
}

/**
 * The topology a `MERIDIAN_REDIS_URL` names.
 * @throws Error saying what is wrong with the URL (never echoing a password).
 */
export function parseRedisTopology(url: string): RedisTopology {
  if (/^rediss?:\/\/\S+$/u.test(url)) {
    if (!URL.canParse(url)) throw new Error('is not a valid redis:// or rediss:// URL');
    return { kind: 'server', url };
  }
  const m = MULTI.exec(url);
  if (m === null) {
    throw new Error(
      'must be redis://host:port (one server), redis+cluster://host:port,host:port (Redis Cluster) or redis+sentinel://host:port,host:port/master-name (Sentinel); rediss… for TLS',
    );
  }
  const [, scheme = 'redis', kind = 'cluster', userinfo, hostList = '', path = ''] = m;
  const nodes = hostList.split(',').map((h) => nodeAddress(h.trim(), DEFAULT_PORT[kind as 'cluster' | 'sentinel']));
  const creds = access(scheme, userinfo);
  if (kind === 'cluster') {
    if (path !== '') throw new Error('a Redis Cluster URL has no path: a cluster has database 0 only');
    return { kind: 'cluster', nodes, ...creds };
  }
  return { kind: 'sentinel', sentinels: nodes, ...sentinelPath(path), ...creds };
}

/** `<master-name>` or `<master-name>/<db>`, the path of a Sentinel URL. */
function sentinelPath(path: string): { masterName: string; database: number | undefined } {
  const [masterName = '', db, ...extra] = path.split('/');
  if (!/^[A-Za-z0-9._-]{1,64}$/u.test(masterName)) {
    throw new Error('a Sentinel URL ends in /<master-name> (the name the sentinels monitor), e.g. /mymaster');
  }
  if (extra.length > 0 || (db !== undefined && !/^\d{1,2}$/u.test(db))) {
    throw new Error('after /<master-name> only a database number may follow, e.g. /mymaster/0');
  }
  return { masterName, database: db === undefined ? undefined : Number(db) };
}

/** The topology for logs: kind and addresses, never credentials. */
export function describeRedisTopology(topology: RedisTopology): string {
  const list = (nodes: readonly RedisNodeAddress[]): string =>
    nodes
      .map((n) => (n.host.includes(':') ? `[${n.host}]:${String(n.port)}` : `${n.host}:${String(n.port)}`))
      .join(',');
  switch (topology.kind) {
    case 'server': {
      const u = new URL(topology.url);
      return `server ${u.host}`;
    }
    case 'cluster':
      return `cluster ${list(topology.nodes)}`;
    case 'sentinel':
      return `sentinel ${list(topology.sentinels)} master ${topology.masterName}`;
  }
}
