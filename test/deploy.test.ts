import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../src/config/config.js';

const root = path.resolve(fileURLToPath(import.meta.url), '..', '..');
const manifestDir = path.join(root, 'deploy', 'kubernetes');

interface Validatable {
  validate(): void;
}
type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } };

/** The schema behind each kind: kubernetes-models' JSON schemas of the Kubernetes and Prometheus Operator APIs. */
const MODELS: Readonly<Record<string, new (data: never) => Validatable>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

function validate(doc: Manifest): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc as never).validate();
}

const files = readdirSync(manifestDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const manifests: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(manifestDir, file), 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as Manifest;
  }),
);
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the model type of the kind
function one<T>(kind: string): T {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as unknown as T;
}

/** The container's environment as the kubelet would set it from the config map, the secret and `env`. */
function podEnv(d: Deployment, configMap: ConfigMap, secret: Secret): Record<string, string> {
  const env: Record<string, string> = { ...configMap.data };
  for (const e of d.spec?.template.spec?.containers[0]?.env ?? []) {
    const key = e.valueFrom?.secretKeyRef?.key;
    env[e.name] = key !== undefined ? (secret.stringData?.[key] ?? '') : (e.value ?? '');
  }
  return env;
}

describe('Kubernetes manifests (deploy/kubernetes), checked against the API schemas', () => {
  it('every manifest is valid for its kind, and kustomization.yaml applies all but the secret example', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(8);
    for (const m of manifests)
      expect(() => {
        validate(m);
      }, `${m.kind} ${m.metadata.name}`).not.toThrow();
    const kustomization = parseAllDocuments(
      readFileSync(path.join(manifestDir, 'kustomization.yaml'), 'utf8'),
    )[0]!.toJS() as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'secret.example.yaml').sort());
  });

  it('the validator rejects what the API server would', () => {
    const deployment = structuredClone(one<Manifest>('Deployment')) as Manifest & { spec: Record<string, unknown> };
    deployment.spec.replicas = 'three';
    expect(() => {
      validate(deployment);
    }).toThrow(/replicas must be integer/);
    const noSelector = structuredClone(one<Manifest>('PodDisruptionBudget')) as Manifest & { spec: unknown };
    noSelector.spec = { minAvailable: { bad: true } };
    expect(() => {
      validate(noSelector);
    }).toThrow();
  });

  it('runs N non-root replicas with probes on /healthz and /readyz, requests, and a read-only root', () => {
    const d = one<Deployment>('Deployment');
    expect(d.spec?.replicas).toBeGreaterThanOrEqual(2);
    const pod = d.spec!.template.spec!;
    const c = pod.containers[0]!;
    expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(typeof c.resources?.requests?.cpu).toBe('string');
    expect(typeof c.resources?.requests?.memory).toBe('string');
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    // The data folder (event checkpoints) is the pod's own, never shared between replicas.
    expect(pod.volumes?.find((v) => v.name === 'data')?.emptyDir).toBeDefined();
  });

  it('keeps all but one replica through a disruption, and the service selects the same pods', () => {
    const d = one<Deployment>('Deployment');
    const pdb = one<PodDisruptionBudget>('PodDisruptionBudget');
    expect(pdb.spec?.selector?.matchLabels).toEqual(d.spec!.selector.matchLabels);
    expect(Number(pdb.spec?.minAvailable)).toBeLessThan(d.spec!.replicas!);
    expect(one<Service>('Service').spec?.selector).toEqual(d.spec!.selector.matchLabels);
  });

  it('takes org keys, the cache key, database URLs and the Fabric identity from the secret', () => {
    const d = one<Deployment>('Deployment');
    const secret = one<Secret>('Secret');
    const keys = new Set(Object.keys(secret.stringData ?? {}));
    const pod = d.spec!.template.spec!;
    const fromSecret = [
      ...(pod.containers[0]!.env ?? []).flatMap((e) =>
        e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.key] : [],
      ),
      ...(pod.volumes ?? []).flatMap((v) => (v.secret?.items ?? []).map((i) => i.key)),
    ];
    expect(fromSecret).toEqual(
      expect.arrayContaining([
        'cache-key',
        'pseudonym-key',
        'org-keys.json',
        'fabric-cert.pem',
        'fabric-key.pem',
        'control-url',
      ]),
    );
    for (const key of fromSecret) expect(keys.has(key), key).toBe(true);
  });

  it('is a configuration the gateway accepts: the config map and secret env parse with loadConfig', () => {
    const d = one<Deployment>('Deployment');
    const env = podEnv(d, one<ConfigMap>('ConfigMap'), one<Secret>('Secret'));
    env.MERIDIAN_CACHE_KEY = randomBytes(32).toString('base64');
    env.MERIDIAN_PSEUDONYM_KEY = randomBytes(32).toString('base64');
    const config = loadConfig(env);
    expect(config.mode).toBe('production');
    expect(config.regions.map((r) => r.id)).toEqual(['eu-de', 'eu-fr', 'us-ma']);
    expect(config.controlDatabase.kind).toBe('postgres');
    expect(config.fabric?.certFile).toBe('/etc/meridian/fabric/cert.pem');
    const mounts = d.spec!.template.spec!.containers[0]!.volumeMounts ?? [];
    expect(mounts.some((m) => config.orgKeysFile?.startsWith(`${m.mountPath}/`))).toBe(true);
    expect(config.dataDir).toBe('/var/lib/meridian');
  });

  it('keeps /metrics off the public path: the ingress routes /graphql and /console only; only the ingress controller and Prometheus reach the pods', () => {
    const ingress = one<Ingress>('Ingress');
    const paths = (ingress.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []);
    expect(paths.map((p) => `${p.pathType} ${p.path}`)).toEqual(['Exact /graphql', 'Prefix /console']);
    const policy = one<NetworkPolicy>('NetworkPolicy');
    expect(policy.spec?.policyTypes).toContain('Ingress');
    const sources = (policy.spec?.ingress ?? []).flatMap((rule) =>
      (rule.from ?? []).map((f) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']),
    );
    expect(sources.sort()).toEqual(['ingress-nginx', 'monitoring']);
    const monitor = one<ServiceMonitor>('ServiceMonitor');
    expect(monitor.spec.endpoints.map((e) => e.path)).toEqual(['/metrics']);
    expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'meridian-gateway' });
  });
});

/** An instruction's arguments as one line, continuation lines joined. */
const argsOf = (i: Instruction): string =>
  i
    .getArguments()
    .map((a) => a.getValue())
    .join(' ');

describe('the gateway Dockerfile', () => {
  const dockerfile = DockerfileParser.parse(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  const stages = dockerfile.getFROMs().map((from) => from.getBuildStage());
  const final = (): Instruction[] => {
    const froms = dockerfile.getFROMs();
    const start = froms.at(-1)!.getRange().start.line;
    return dockerfile.getInstructions().filter((i) => i.getRange().start.line > start);
  };

  it('builds in stages from the lockfile and ends in a runtime stage', () => {
    expect(stages).toEqual(['deps', 'build', 'runtime']);
    const runs = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => argsOf(i));
    expect(runs[0]).toMatch(/^npm ci\b/);
    expect(runs.some((r) => /npm prune --omit=dev/.test(r))).toBe(true);
  });

  it('runs as a non-root user with a HEALTHCHECK, SIGTERM, no package manager and no build step in the final stage', () => {
    const instructions = final();
    const keyword = (k: string): Instruction[] => instructions.filter((i) => i.getKeyword() === k);
    expect(keyword('USER').map((i) => argsOf(i))).toEqual(['node']);
    expect(argsOf(keyword('HEALTHCHECK')[0]!)).toMatch(/\/healthz/);
    expect(argsOf(keyword('STOPSIGNAL')[0]!)).toBe('SIGTERM');
    const runs = keyword('RUN').map((i) => argsOf(i));
    expect(runs.join('\n')).toMatch(/rm -rf \/usr\/local\/lib\/node_modules\/npm/);
    expect(runs.join('\n')).not.toMatch(/npm (ci|install|run)|apt-get install|tsc/);
    for (const copy of keyword('COPY')) expect((copy as Copy).getFromFlag()?.getValue()).toBe('build');
  });
});
