import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { passThroughEnv, readYaml, readYamlDocuments, root, serverEnvNames } from './support.js';

const dir = 'infra/k8s';
interface Kustomization {
  kind: string;
  resources: string[];
  images?: { name: string }[];
}
const kustomization = readYaml<Kustomization>(`${dir}/kustomization.yaml`);
const manifestFiles = readdirSync(join(root, dir)).filter(
  (file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml',
);
const objects = manifestFiles.flatMap((file) => readYamlDocuments(`${dir}/${file}`)) as {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}[];

/** The kubernetes-models class of each kind we ship: each validates against the API's schema. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'networking.k8s.io/v1/Ingress': Ingress,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};
const find = <T>(kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as unknown as T;
};

const deployment = find<Deployment>('Deployment');
const service = find<Service>('Service');
const ingress = find<Ingress>('Ingress');
const configMap = find<ConfigMap>('ConfigMap');
const secret = find<Secret>('Secret');
const pdb = find<PodDisruptionBudget>('PodDisruptionBudget');
const pod = deployment.spec?.template.spec;
const container = pod?.containers[0] as IContainer;

describe('infra/k8s', () => {
  it('kustomization.yaml lists every manifest, and each exists', () => {
    expect(kustomization.kind).toBe('Kustomization');
    expect([...kustomization.resources].sort()).toEqual([...manifestFiles].sort());
    expect(kustomization.images?.map((i) => i.name)).toContain(container.image);
  });

  it('every manifest is valid against the Kubernetes API schema (kubernetes-models)', () => {
    for (const object of objects) {
      const Model = models[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new (Model as NonNullable<typeof Model>)(object as never).validate()).not.toThrow();
    }
    // The validator does catch a mistake.
    const broken = structuredClone(deployment) as unknown as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('runs two nodes, ready on /api/health/ready and alive on /api/health', () => {
    expect(deployment.spec?.replicas).toBe(2);
    expect(container.readinessProbe?.httpGet?.path).toBe('/api/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/api/health');
    expect(container.startupProbe?.httpGet?.path).toBe('/api/health');
    // Liveness must not restart a node for what readiness covers (a database blip): slower.
    const live = container.livenessProbe ?? {};
    const ready = container.readinessProbe ?? {};
    expect((live.periodSeconds ?? 10) * (live.failureThreshold ?? 3)).toBeGreaterThan(
      (ready.periodSeconds ?? 10) * (ready.failureThreshold ?? 3),
    );
    expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
  });

  it('leaves time for the drain: preStop, then SIGTERM, within the grace period', () => {
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe('sleep');
    const sleep = Number(preStop[1]);
    expect(sleep).toBeGreaterThanOrEqual(5);
    // The server's own drain gets at least 30 s after the preStop sleep.
    expect(pod?.terminationGracePeriodSeconds ?? 30).toBeGreaterThanOrEqual(sleep + 30);
  });

  it('runs as the image user, unprivileged, with resources set', () => {
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(pod?.securityContext?.runAsUser).toBe(1000); // `node` in node:20-bookworm-slim (infra/Dockerfile)
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
    expect(container.resources?.requests?.cpu).toBeDefined();
    expect(container.resources?.requests?.memory).toBeDefined();
    expect(container.resources?.limits?.memory).toBeDefined();
    // A read-only root file system: every place the server writes is a volume.
    if (container.securityContext?.readOnlyRootFilesystem) {
      const mounts = container.volumeMounts?.map((m) => m.mountPath) ?? [];
      expect(mounts).toEqual(expect.arrayContaining(['/data', '/tmp']));
    }
  });

  it('keeps ports and labels consistent: Deployment → Service → Ingress', () => {
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    expect(deployment.spec?.selector.matchLabels).toEqual(labels);
    expect(service.spec?.selector).toEqual(labels);
    expect(pdb.spec?.selector?.matchLabels).toEqual(labels);
    const port = container.ports?.[0];
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(Number(env.PORT)).toBe(port?.containerPort);
    expect(env.HOST).toBe('0.0.0.0');
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect([port?.name, port?.containerPort]).toContain(probe?.httpGet?.port);
    }
    const servicePort = service.spec?.ports?.[0];
    expect([port?.name, port?.containerPort]).toContain(servicePort?.targetPort);
    const backends = (ingress.spec?.rules ?? [])
      .flatMap((rule) => rule.http?.paths ?? [])
      .map((p) => p.backend.service);
    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) {
      expect(backend?.name).toBe(service.metadata?.name);
      expect([servicePort?.name, servicePort?.port]).toContain(backend?.port?.name ?? backend?.port?.number);
    }
  });

  it('the Ingress keeps WebSockets open and pins socket.io long-polling clients to a node', () => {
    const annotations = ingress.metadata?.annotations ?? {};
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(annotations['nginx.ingress.kubernetes.io/session-cookie-name']).toBeTruthy();
    expect(ingress.spec?.ingressClassName).toBe('nginx');
  });

  it('takes its settings from the ConfigMap and the Secret, every one read by the server', () => {
    const refs = (container.envFrom ?? []).map((e) => e.configMapRef?.name ?? e.secretRef?.name);
    expect(refs).toEqual([configMap.metadata?.name, secret.metadata?.name]);
    const names = [
      ...Object.keys(configMap.data ?? {}),
      ...Object.keys(secret.stringData ?? {}),
      ...(container.env ?? []).map((e) => e.name),
    ];
    const known = serverEnvNames();
    expect(names.filter((name) => !known.has(name) && !passThroughEnv.has(name))).toEqual([]);
    // The connection strings (passwords) are secret; both nodes share them by construction.
    expect(Object.keys(secret.stringData ?? {})).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'CALMA_REDIS_URL', 'CALMA_ADMIN_TOKEN']),
    );
    expect(secret.stringData?.DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    expect(secret.stringData?.CALMA_REDIS_URL).toMatch(/^rediss?:\/\//);
    expect((secret.stringData?.CALMA_ADMIN_TOKEN ?? '').length).toBeGreaterThanOrEqual(22);
    expect(configMap.data?.CALMA_TRUST_PROXY).toBe('1');
  });
});
