// Summarises a V8 CPU profile of a server under load (BENCH_CPU_PROF=<dir> npm run bench …):
//   npx tsx bench/profile-summary.ts <file.cpuprofile> --requests N [--top 25] [--last S]
// Self time per component (a package under node_modules, a Node internal, a folder of src/,
// the garbage collector, idle) and per function, in µs per request over N requests. `--last S`
// counts only the profile's last S seconds (the measured runs, without start-up and seeding):
// N is then the requests answered in them.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly endTime: number;
  readonly startTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: 'string' }, top: { type: 'string', default: '25' }, last: { type: 'string' } },
});
const file = positionals[0];
const requests = Number(values.requests);
if (file === undefined || !(requests > 0)) {
  console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> --requests N [--top 25] [--last S]');
  process.exit(2);
}
const top = Number(values.top);
const lastSeconds = values.last === undefined ? undefined : Number(values.last);
if (lastSeconds !== undefined && !(lastSeconds > 0)) {
  console.error('--last: seconds, more than 0');
  process.exit(2);
}

/** Where a frame's code lives: a package, a Node internal, a folder of ours, or V8's own (GC, idle). */
function component(frame: ProfileNode['callFrame']): string {
  const url = frame.url;
  if (url === '') return frame.functionName === '' ? '(native)' : frame.functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const ours = /\/(src|chaincode\/dist\/src|bench)\/(.*)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]!.split('/').slice(0, -1).join('/') || ours[2]!}`;
  return url;
}

const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
// A sample's time (µs, the profile's clock) is the start plus the deltas up to it.
const from = lastSeconds === undefined ? -Infinity : profile.endTime - lastSeconds * 1e6;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (at < from) return;
  total += dt;
  self.set(id, (self.get(id) ?? 0) + dt);
});
const components = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of self) {
  const frame = byId.get(id)!.callFrame;
  const c = component(frame);
  components.set(c, (components.get(c) ?? 0) + us);
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
}
const idle = components.get('(idle)') ?? 0;
const rows = (m: Map<string, number>): string =>
  [...m]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => `| ${k} | ${(us / requests).toFixed(0)} | ${((us / (total - idle)) * 100).toFixed(1)}% |`)
    .join('\n');
console.log(`# CPU profile: ${file.split('/').at(-1) ?? file}

${((total - idle) / 1e6).toFixed(1)} s of CPU (${(idle / 1e6).toFixed(1)} s idle) over ${requests} requests: ${((total - idle) / requests).toFixed(0)} µs per request, ${
  lastSeconds === undefined ? 'start-up and warm-up included' : `the profile's last ${lastSeconds} s`
}.

## By component (self time)

| component | µs per request | share |
| --- | --: | --: |
${rows(components)}

## By function (self time)

| function | µs per request | share |
| --- | --: | --: |
${rows(functions)}
`);
