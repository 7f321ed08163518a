// deploy/k8s/portico rendered by real Helm (the helm binary, or helm-java through
// deploy/k8s/tools/helm.sh when no binary can be installed) and checked: lint, values schema,
// probes, resources, config/secret separation, PDBs, autoscaling, migration hook, KafkaTopics
// matching libs/contracts and the services' consumer groups.
// Not checked: the objects against the Kubernetes OpenAPI schemas (no kubeconform/cluster here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ROOT } from './lib/metrics.mjs';
import { needTool, run, which } from './lib/tools.mjs';
import {
  EXTERNAL_URLS,
  PUBLIC_URLS,
  UPSTREAMS,
  servicePorts,
  settingsPointingAnywhere,
} from './lib/wiring.mjs';

const SERVICES = ['carrier-ingestion', 'claims', 'clearance', 'console', 'id-vault', 'notification'];
const canRender = which('helm') || (which('java') && which('mvn'));
const HELM = 'deploy/k8s/tools/helm.sh';

function helm(args) {
  const res = run('bash', [HELM, ...args], { timeout: 300_000 });
  assert.equal(res.status, 0, `helm.sh ${args.join(' ')}:\n${res.stderr}`);
  return res.stdout;
}
// Install and upgrade need the browser-facing addresses of id-vault and claims; every render here
// gives them (a later --set of the same key wins).
const VAULT_PUBLIC = 'https://vault.portico.test';
const PUBLIC = { 'id-vault': VAULT_PUBLIC, claims: 'https://claims.portico.test' };
const PUBLIC_SETS = Object.entries(PUBLIC).map(([svc, url]) => `global.publicUrls.${svc}=${url}`);
function render(...sets) {
  const docs = loadAll(
    helm([
      'template',
      '--namespace',
      'portico',
      ...[...PUBLIC_SETS, ...sets].flatMap((s) => ['--set', s]),
    ]),
  ).filter(Boolean);
  const by = (kind) => docs.filter((d) => d.kind === kind);
  return { docs, by };
}

/** Stream topics of libs/contracts and the consumer groups' topics from services/<svc>/src/app.module.ts. */
function contracts() {
  const topicsTs = readFileSync(join(ROOT, 'libs/contracts/src/topics.ts'), 'utf8');
  const byConst = new Map(
    [...topicsTs.matchAll(/export const (\w+_TOPIC)\b[^=]*=\s*defineTopic\(\s*'([^']+)'/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  const partitions = Number(/DEFAULT_PARTITIONS = (\d+)/.exec(topicsTs)[1]);
  const consumes = {};
  for (const svc of readdirSync(join(ROOT, 'services'))) {
    let src = '';
    try {
      src = readFileSync(join(ROOT, 'services', svc, 'src/app.module.ts'), 'utf8');
    } catch {
      continue;
    }
    const list = /consumes:\s*\[([^\]]*)\]/.exec(src)?.[1] ?? '';
    consumes[svc] = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((c) => byConst.get(c) ?? c);
  }
  return { streams: [...byConst.values()], partitions, consumes };
}

test('helm lint --strict', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  helm(['lint', '--strict']);
});

test('default values: probes, resources, security, config and secrets separated, PDB and HPA per service', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const { by } = render();
  const deployments = by('Deployment');
  assert.deepEqual(deployments.map((d) => d.metadata.labels['app.kubernetes.io/name']).sort(), SERVICES);
  const configMaps = new Map(by('ConfigMap').map((c) => [c.metadata.name, c]));
  for (const d of deployments) {
    const name = d.metadata.labels['app.kubernetes.io/name'];
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    assert.deepEqual(c.command, ['node', `services/${name}/dist/src/main.js`]);
    assert.equal(c.livenessProbe.httpGet.path, '/health/live');
    assert.equal(c.readinessProbe.httpGet.path, '/health/ready');
    assert.equal(c.startupProbe.httpGet.path, '/health/live');
    assert.ok(
      c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory,
      `${name}: resources`,
    );
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    // the console too: its live updates reach every instance (docs/adr/0005-console-live-fanout.md)
    assert.equal(d.spec.replicas, undefined, `${name}: replicas belong to the HPA`);
    const cmRef = c.envFrom.find((e) => e.configMapRef).configMapRef.name;
    const cm = configMaps.get(cmRef);
    assert.ok(cm, `${name}: ConfigMap ${cmRef}`);
    assert.equal(cm.data.HTTP_HOST, '0.0.0.0');
    assert.equal(cm.data.KAFKA_CONSUMER_GROUP, name);
    assert.ok(c.envFrom.filter((e) => e.secretRef).length === 2, `${name}: common + own Secret`);
    for (const k of Object.keys(cm.data))
      assert.doesNotMatch(
        k,
        /PASSWORD|TOKEN|SECRET|PEPPER|DATABASE_URL|_KEYS?$/,
        `${name}: ${k} looks secret but is in a ConfigMap`,
      );
    assert.equal(c.ports[0].containerPort, Number(cm.data.HTTP_PORT));
    assert.ok(pod.terminationGracePeriodSeconds * 1000 > Number(cm.data.SHUTDOWN_TIMEOUT_MS) + 5000);
  }
  assert.equal(by('Secret').length, 0, 'the chart must not carry secrets');
  const selectorOf = (name) => deployments.find((d) => d.metadata.name === name).spec.selector.matchLabels;
  for (const pdb of by('PodDisruptionBudget'))
    assert.deepEqual(pdb.spec.selector.matchLabels, selectorOf(pdb.metadata.name));
  assert.equal(by('PodDisruptionBudget').length, 6);
  for (const hpa of by('HorizontalPodAutoscaler')) {
    assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
    assert.ok(selectorOf(hpa.spec.scaleTargetRef.name));
    assert.equal(hpa.spec.metrics[0].resource.name, 'cpu');
  }
  assert.equal(by('HorizontalPodAutoscaler').length, 6, 'every service, the console included');
  const consoleHpa = by('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name.endsWith('console'));
  assert.ok(consoleHpa.spec.minReplicas > 1, 'console: more than one instance');
  for (const svc of by('Service')) assert.deepEqual(svc.spec.selector, selectorOf(svc.metadata.name));
  assert.equal(by('ScaledObject').length, 0);
  assert.equal(by('ServiceMonitor').length, 0);
});

test('KafkaTopics: every stream topic of libs/contracts, and retry + DLQ topics of every consumer group', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const { streams, partitions, consumes } = contracts();
  const topics = new Map(
    render()
      .by('KafkaTopic')
      .map((k) => [k.spec.topicName, k]),
  );
  const DAY = 24 * 3600 * 1000;
  for (const s of streams) {
    assert.ok(topics.has(s), `stream topic ${s}`);
    assert.equal(topics.get(s).spec.partitions, partitions);
    assert.equal(topics.get(s).spec.config['retention.ms'], String(14 * DAY));
  }
  for (const [group, list] of Object.entries(consumes)) {
    for (const topic of list) {
      assert.equal(
        topics.get(`${topic}.retry.${group}`)?.spec.config['retention.ms'],
        String(14 * DAY),
        `${topic}.retry.${group}`,
      );
      assert.equal(
        topics.get(`${topic}.dlq.${group}`)?.spec.config['retention.ms'],
        String(30 * DAY),
        `${topic}.dlq.${group}`,
      );
    }
  }
  for (const k of topics.values()) {
    assert.equal(k.metadata.labels['strimzi.io/cluster'], 'portico');
    assert.equal(k.metadata.annotations['helm.sh/resource-policy'], 'keep');
    assert.equal(k.spec.config['cleanup.policy'], 'delete');
  }
  // The brief's wiring, whether or not the services' code has caught up yet.
  for (const name of [
    'carrier.tracking.v1.retry.clearance',
    'carrier.tracking.v1.dlq.notification',
    'clearance.case.v1.dlq.notification',
  ])
    assert.ok(topics.has(name), name);
});

test('migrations: one Job per service running migrate.js, a pre-install/pre-upgrade hook by default', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  // helm-java returns the release manifest without hooks, so the Jobs are rendered as plain Jobs
  // here (migrations.helmHook=false) and the hook annotations are checked in the template.
  const jobs = render('migrations.helmHook=false').by('Job');
  assert.deepEqual(
    jobs.map((j) => j.spec.template.spec.containers[0].command[1]).sort(),
    SERVICES.map((s) => `services/${s}/dist/src/migrate.js`),
  );
  for (const j of jobs) assert.equal(j.spec.template.spec.restartPolicy, 'Never');
  const template = readFileSync(join(ROOT, 'deploy/k8s/portico/templates/migration-job.yaml'), 'utf8');
  assert.match(template, /helm\.sh\/hook: pre-install,pre-upgrade/);
  assert.match(template, /helm\.sh\/hook-delete-policy: before-hook-creation,hook-succeeded/);
});

test('KEDA on consumer lag replaces the CPU HPA; ServiceMonitors on request', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const { by } = render(
    'services.notification.keda.enabled=true',
    'services.clearance.keda.enabled=true',
    'services.claims.keda.enabled=true',
    'serviceMonitor.enabled=true',
  );
  const scaled = by('ScaledObject');
  assert.deepEqual(scaled.map((s) => s.metadata.name).sort(), [
    'portico-claims',
    'portico-clearance',
    'portico-notification',
  ]);
  const hpas = by('HorizontalPodAutoscaler').map((h) => h.metadata.name);
  for (const s of scaled) {
    assert.ok(!hpas.includes(s.metadata.name), `${s.metadata.name}: HPA and ScaledObject both`);
    assert.ok(s.spec.maxReplicaCount <= 6, 'never more replicas than partitions');
    const kafka = s.spec.triggers.filter((tr) => tr.type === 'kafka');
    assert.ok(kafka.length >= 2);
    for (const tr of kafka) assert.equal(tr.metadata.consumerGroup, s.metadata.name.replace('portico-', ''));
  }
  assert.equal(by('ServiceMonitor').length, 6);
  for (const sm of by('ServiceMonitor')) assert.equal(sm.spec.endpoints[0].path, '/metrics');
});

test('the values schema rejects a typo', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const res = run('bash', [HELM, 'template', '--set', 'services.clearance.replicaz=3'], { timeout: 300_000 });
  assert.notEqual(res.status, 0);
  assert.match(res.stderr, /replicaz|additional/i);
});

test('every address setting of every service is classified: upstream, public or external', () => {
  const ports = servicePorts();
  const byPort = Object.fromEntries(Object.entries(ports).map(([svc, port]) => [port, svc]));
  const unclassified = [];
  for (const { service, setting, defaultPort } of settingsPointingAnywhere()) {
    const target = UPSTREAMS[service]?.[setting] ?? PUBLIC_URLS[service]?.[setting];
    if (target) {
      // A 127.0.0.1 default names the service the setting is meant for: the table must agree.
      if (defaultPort && byPort[defaultPort])
        assert.equal(
          target,
          byPort[defaultPort],
          `${service} ${setting}: default points at ${byPort[defaultPort]}`,
        );
    } else if (!EXTERNAL_URLS.has(setting)) unclassified.push(`${service} ${setting}`);
  }
  assert.deepEqual(unclassified, [], 'classify these in deploy/tests/lib/wiring.mjs and wire them');
  // The tables name real settings of real services (a renamed setting fails here).
  const known = new Set(settingsPointingAnywhere().map((x) => `${x.service} ${x.setting}`));
  for (const table of [UPSTREAMS, PUBLIC_URLS])
    for (const [svc, settings] of Object.entries(table))
      for (const [setting, target] of Object.entries(settings)) {
        assert.ok(known.has(`${svc} ${setting}`), `${svc} has no setting ${setting}`);
        assert.ok(ports[target], `${target} is not a service`);
      }
});

test('ConfigMaps carry the upstream URLs as in-cluster Service names and ports, and the public URLs', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const { by } = render();
  const ports = servicePorts();
  const services = new Map(by('Service').map((s) => [s.metadata.name, s]));
  const data = Object.fromEntries(
    by('ConfigMap').map((c) => [c.metadata.labels['app.kubernetes.io/name'], c.data]),
  );
  for (const [svc, settings] of Object.entries(UPSTREAMS)) {
    for (const [setting, target] of Object.entries(settings)) {
      const url = new URL(data[svc][setting] ?? assert.fail(`${svc}: ${setting} not in its ConfigMap`));
      assert.equal(url.protocol, 'http:');
      assert.equal(url.hostname, `portico-${target}`, `${svc} ${setting}`);
      assert.equal(Number(url.port), ports[target], `${svc} ${setting}: ${target}'s port`);
      // …and that name and port are a Service selecting the target's pods.
      const service = services.get(url.hostname);
      assert.ok(service, `${svc} ${setting}: no Service ${url.hostname}`);
      assert.equal(service.spec.selector['app.kubernetes.io/name'], target);
      assert.ok(service.spec.ports.some((p) => p.port === Number(url.port)));
    }
  }
  for (const [svc, settings] of Object.entries(PUBLIC_URLS))
    for (const [setting, target] of Object.entries(settings))
      assert.equal(data[svc][setting], PUBLIC[target], `${svc} ${setting}`);
  // Nothing in a pod may point at the pod itself for another service's address.
  const jobs = render('migrations.helmHook=false').by('Job');
  for (const [svc, cm] of Object.entries(data))
    for (const [k, v] of Object.entries(cm))
      assert.doesNotMatch(v, /127\.0\.0\.1|localhost/, `${svc} ${k}=${v}`);
  for (const j of jobs)
    for (const e of j.spec.template.spec.containers[0].env)
      assert.doesNotMatch(String(e.value), /127\.0\.0\.1|localhost/, `${j.metadata.name} ${e.name}`);
});

test('upstream wiring: an explicit env entry wins, a disabled target and a missing public URL fail the render', (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const override = 'https://vault-internal.portico.test';
  const cms = render(`services.notification.env.VAULT_INTERNAL_URL=${override}`).by('ConfigMap');
  const notification = cms.find((c) => c.metadata.name === 'portico-notification');
  assert.equal(notification.data.VAULT_INTERNAL_URL, override);

  const template = (...sets) =>
    run('bash', [HELM, 'template', ...sets.flatMap((s) => ['--set', s])], { timeout: 300_000 });
  const disabled = template(...PUBLIC_SETS, 'services.id-vault.enabled=false');
  assert.notEqual(disabled.status, 0);
  assert.match(
    disabled.stderr,
    /upstreams\.(VAULT_INTERNAL_URL|CONSOLE_VAULT_URL) points at id-vault, which is disabled/,
  );
  const noPublic = template();
  assert.notEqual(noPublic.status, 0);
  assert.match(noPublic.stderr, /global\.publicUrls\.(id-vault|claims) is required/);
  for (const [svc, url] of Object.entries(PUBLIC)) {
    const missing = Object.keys(PUBLIC).find((other) => other !== svc);
    const onlyOne = template(`global.publicUrls.${svc}=${url}`);
    assert.notEqual(onlyOne.status, 0);
    assert.match(onlyOne.stderr, new RegExp(`global\\.publicUrls\\.${missing} is required`));
  }
  const typo = template(
    ...PUBLIC_SETS,
    'services.console.upstreams.CONSOLE_CLAIMS_URL=claimz',
  );
  assert.notEqual(typo.status, 0, 'the schema knows the service names');
  assert.match(typo.stderr, /CONSOLE_CLAIMS_URL.*must be one of/);
});

test("id-vault's audit export directory: an extra volume under the read-only root filesystem", (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const dir = '/var/lib/portico/audit';
  const { by } = render(
    'services.id-vault.extraVolumes[0].name=audit',
    'services.id-vault.extraVolumes[0].persistentVolumeClaim.claimName=portico-vault-audit',
    'services.id-vault.extraVolumeMounts[0].name=audit',
    `services.id-vault.extraVolumeMounts[0].mountPath=${dir}`,
    `services.id-vault.env.AUDIT_EXPORT_DIR=${dir}`,
  );
  const pod = by('Deployment').find((d) => d.metadata.name === 'portico-id-vault').spec.template.spec;
  assert.deepEqual(
    pod.volumes.map((v) => v.name),
    ['tmp', 'audit'],
  );
  assert.equal(pod.volumes[1].persistentVolumeClaim.claimName, 'portico-vault-audit');
  assert.deepEqual(
    pod.containers[0].volumeMounts.map((m) => m.mountPath),
    ['/tmp', dir],
  );
  assert.equal(
    by('ConfigMap').find((c) => c.metadata.name === 'portico-id-vault').data.AUDIT_EXPORT_DIR,
    dir,
  );
  // the other services are untouched
  const other = by('Deployment').find((d) => d.metadata.name === 'portico-notification').spec.template.spec;
  assert.deepEqual(
    other.volumes.map((v) => v.name),
    ['tmp'],
  );
});

test("person tokens: every service verifies the console's JWKS by default; external leaves it to the operator; extra issuers rendered", (t) => {
  if (!needTool(t, canRender, 'no helm, and no java+mvn for helm-java')) return;
  const dataOf = (...sets) =>
    Object.fromEntries(render(...sets).by('ConfigMap').map((c) => [c.metadata.labels['app.kubernetes.io/name'], c.data]));
  const byDefault = dataOf();
  const consoleService = render().by('Service').find((s) => s.metadata.name === 'portico-console');
  assert.ok(consoleService.spec.ports.some((p) => p.port === servicePorts().console));
  for (const svc of SERVICES) {
    assert.equal(byDefault[svc].AUTH_JWKS_URL, `http://portico-console:${servicePorts().console}/.well-known/jwks.json`, svc);
    assert.equal(byDefault[svc].AUTH_OIDC_ISSUER, `http://portico-console:${servicePorts().console}`, svc);
    assert.equal(byDefault[svc].AUTH_EXTRA_ISSUERS, undefined, svc);
  }
  const custom = dataOf(
    'global.personTokens.consoleIssuer=https://console.portico.test/',
    'global.personTokens.extraIssuers[0].issuer=https://idp.corp.test/',
    'global.personTokens.extraIssuers[0].jwksUrl=https://idp.corp.test/jwks',
    'services.claims.env.AUTH_OIDC_ISSUER=https://claims-own.test',
  );
  assert.equal(custom.notification.AUTH_OIDC_ISSUER, 'https://console.portico.test');
  assert.equal(custom.claims.AUTH_OIDC_ISSUER, 'https://claims-own.test', 'an explicit env entry wins');
  assert.equal(custom['id-vault'].AUTH_EXTRA_ISSUERS, 'https://idp.corp.test/ https://idp.corp.test/jwks');
  const external = dataOf('global.personTokens.issuer=external');
  for (const svc of SERVICES) {
    assert.equal(external[svc].AUTH_JWKS_URL, undefined, svc);
    assert.equal(external[svc].AUTH_OIDC_ISSUER, undefined, svc);
  }
  const template = (...sets) =>
    run('bash', [HELM, 'template', ...[...PUBLIC_SETS, ...sets].flatMap((s) => ['--set', s])], { timeout: 300_000 });
  const noConsole = template('services.console.enabled=false');
  assert.notEqual(noConsole.status, 0);
  assert.match(noConsole.stderr, /AUTH_JWKS_URL \(global\.personTokens\.issuer=console\) points at console, which is disabled/);
  assert.equal(template('services.console.enabled=false', 'global.personTokens.issuer=external').status, 0);
  const bad = template('global.personTokens.issuer=idp');
  assert.notEqual(bad.status, 0, 'the schema knows the two modes');
});
