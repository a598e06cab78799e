// Where the objects that outlive young-generation collections are allocated, in a server under
// test: connect to its inspector, sample allocations for a while keeping only what no scavenge
// collected (V8's sampling heap profiler), and print the top allocation sites by bytes.
//   BENCH_NODE_FLAGS="--inspect=127.0.0.1:9339 --expose-gc" npm run bench -- ... &
//   npx tsx bench/gc-survivors.ts [--port 9339] [--ms 6000] [--top 30]
// Survivors are copied by every scavenge they outlive and promoted after the second: the more a
// request leaves alive across one, the longer each scavenge pauses every request in flight.
// Two forced minor collections before the sample stops drop what merely had not been collected yet.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9339' },
    ms: { type: 'string', default: '6000' },
    top: { type: 'string', default: '30' },
  },
});

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}

const targets = (await (await fetch(`http://127.0.0.1:${values.port}/json/list`)).json()) as {
  webSocketDebuggerUrl: string;
}[];
const url = targets[0]?.webSocketDebuggerUrl;
if (url === undefined) throw new Error(`no inspector target on port ${values.port}`);
const ws = new WebSocket(url);
await new Promise((resolve, reject) => {
  ws.addEventListener('open', resolve);
  ws.addEventListener('error', reject);
});
let nextId = 0;
const waiting = new Map<number, (result: unknown) => void>();
ws.addEventListener('message', (m) => {
  const message = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
  if (message.id !== undefined) waiting.get(message.id)?.(message.result);
});
const call = (method: string, params: object = {}): Promise<unknown> =>
  new Promise((resolve) => {
    const id = ++nextId;
    waiting.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });

await call('HeapProfiler.enable');
await call('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: false,
});
await new Promise((resolve) => setTimeout(resolve, Number(values.ms)));
for (let i = 0; i < 2; i++) await call('Runtime.evaluate', { expression: "gc({ type: 'minor' })" });
const { profile } = (await call('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
ws.close();

const bySite = new Map<string, number>();
let total = 0;
const walk = (node: ProfileNode): void => {
  const f = node.callFrame;
  const where = f.url.replace(/.*node_modules\//, '').replace(/^.*?\/(src|bench|chaincode)\//, '$1/');
  const site = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  total += node.selfSize;
  node.children.forEach(walk);
};
walk(profile.head);
console.log(`${(total / 1e6).toFixed(1)} MB sampled that outlived young-generation collections in ${values.ms} ms`);
console.log('| allocation site | MB | share |\n| --- | --: | --: |');
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`| ${site} | ${(bytes / 1e6).toFixed(2)} | ${((bytes / total) * 100).toFixed(1)}% |`);
}
