// Checks deploy/kubernetes as the Maven suite's DeploymentFilesTest runs it: `node check-kubernetes.mjs DIR...`
// (one way to run the fleet: deploy/kubernetes or its hpa/, with kafka/ and gpu/, checked together; a resource that
// is a directory is read through its own kustomization, once).
// Reads the kustomization's resources (what `kubectl kustomize DIR` renders, with no cluster), validates every
// object against the Kubernetes and KEDA schemas (kubernetes-models, @kubernetes-models/keda), then what schemas
// cannot say: every ConfigMap, Secret, PersistentVolumeClaim and Service an object names exists; Services select
// pods and name ports those pods open; probes point at ports their container opens; every pod runs non-root with
// a read-only root, all capabilities dropped and seccomp RuntimeDefault, and has resource limits; a
// ScaledObject scales a Deployment of the set and watches the workers' real consumer groups and topics
// (PREFIX-workers on PREFIX.jobs, PREFIX-workers.model.M on PREFIX.jobs.model.M, PREFIX from scorestream-config);
// a Strimzi Kafka keeps three copies with two in sync on three or more nodes of a pool labelled for it, and its
// bootstrap Service and plain listener are what scorestream-config names; a container with a GPU asks for a cuda
// device and its pod tolerates GPU nodes' taint and is kept to them.
// Prints one line per problem and exits 1 when there is any.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const objects = [];
const problems = [];
const read = new Set();
function load(dir) {
  const kustomization = YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
  for (const g of kustomization.configMapGenerator ?? []) {
    const data = {};
    for (const f of g.files ?? []) {
      const file = path.resolve(dir, f);
      if (fs.existsSync(file)) data[path.basename(f)] = fs.readFileSync(file, 'utf8');
      else problems.push(`${dir}: configMapGenerator ${g.name} names ${f}, which does not exist`);
    }
    objects.push({file: path.join(path.basename(dir), 'kustomization.yaml'),
      o: {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: g.name}, data}});
  }
  for (const resource of kustomization.resources ?? []) {
    const file = path.resolve(dir, resource);
    if (read.has(file)) continue;
    read.add(file);
    if (fs.statSync(file).isDirectory()) {
      load(file);
      continue;
    }
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const o = doc.toJS();
      if (o) objects.push({file: path.relative(path.dirname(path.resolve(process.argv[2])), file), o});
    }
  }
}
process.argv.slice(2).forEach(load);
const where = ({file, o}) => `${file}: ${o.kind} ${o.metadata?.name}`;

async function model(apiVersion, kind) {
  const module = apiVersion.startsWith('keda.sh/') ? `@kubernetes-models/keda/${apiVersion}`
    : apiVersion.startsWith('kafka.strimzi.io/') ? `@kubernetes-models/strimzi-kafka-operator/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  try {
    return (await import(module))[kind];
  } catch (e) {
    return undefined;
  }
}

for (const entry of objects) {
  const {o} = entry;
  const Kind = await model(o.apiVersion, o.kind);
  if (!Kind) {
    problems.push(`${where(entry)}: no schema for ${o.apiVersion} ${o.kind}`);
    continue;
  }
  try {
    new Kind(o).validate();
  } catch (e) {
    problems.push(`${where(entry)}: ${e.message.split('\n').slice(0, 4).join(' ')}`);
  }
}

const named = kind => new Set(objects.filter(e => e.o.kind === kind).map(e => e.o.metadata.name));
const configMaps = named('ConfigMap'), secrets = named('Secret'), claims = named('PersistentVolumeClaim');
const services = named('Service'), deployments = objects.filter(e => e.o.kind === 'Deployment');

function portOf(container, port) {
  const ports = container.ports ?? [];
  return ports.some(p => p.name === port || p.containerPort === port);
}

for (const entry of deployments) {
  const pod = entry.o.spec.template.spec;
  const labels = entry.o.spec.template.metadata?.labels ?? {};
  const selector = entry.o.spec.selector?.matchLabels ?? {};
  for (const [k, v] of Object.entries(selector)) {
    if (labels[k] !== v) problems.push(`${where(entry)}: its selector ${k}=${v} does not match its pods`);
  }
  const sc = pod.securityContext ?? {};
  if (sc.runAsNonRoot !== true || !(sc.runAsUser > 0)) problems.push(`${where(entry)}: the pod may run as root`);
  if (sc.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${where(entry)}: seccomp is not RuntimeDefault`);
  for (const v of pod.volumes ?? []) {
    if (v.configMap && !configMaps.has(v.configMap.name)) problems.push(`${where(entry)}: no ConfigMap ${v.configMap.name}`);
    if (v.secret && !secrets.has(v.secret.secretName)) problems.push(`${where(entry)}: no Secret ${v.secret.secretName}`);
    if (v.persistentVolumeClaim && !claims.has(v.persistentVolumeClaim.claimName)) {
      problems.push(`${where(entry)}: no PersistentVolumeClaim ${v.persistentVolumeClaim.claimName}`);
    }
  }
  const volumes = new Set((pod.volumes ?? []).map(v => v.name));
  for (const c of pod.containers) {
    const csc = c.securityContext ?? {};
    if (csc.readOnlyRootFilesystem !== true) problems.push(`${where(entry)}: ${c.name}'s root file system is writable`);
    if (csc.allowPrivilegeEscalation !== false) problems.push(`${where(entry)}: ${c.name} may escalate privileges`);
    if (!(csc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where(entry)}: ${c.name} keeps capabilities`);
    if (!c.resources?.limits?.memory || !c.resources?.limits?.cpu) problems.push(`${where(entry)}: ${c.name} has no limits`);
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef && !configMaps.has(f.configMapRef.name)) problems.push(`${where(entry)}: no ConfigMap ${f.configMapRef.name}`);
      if (f.secretRef && !secrets.has(f.secretRef.name)) problems.push(`${where(entry)}: no Secret ${f.secretRef.name}`);
    }
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name)) problems.push(`${where(entry)}: ${c.name} mounts ${m.name}, which is not a volume`);
    }
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
      if (c[probe] && !portOf(c, port)) problems.push(`${where(entry)}: ${c.name}'s ${probe} port ${port} is not one it opens`);
    }
    if (!c.readinessProbe || !c.livenessProbe) problems.push(`${where(entry)}: ${c.name} lacks a readiness or liveness probe`);
    if (c.resources?.limits?.['nvidia.com/gpu']) { // a GPU worker: on GPU nodes, asking for its device
      const device = (c.env ?? []).find(e => e.name === 'SCORESTREAM_DEVICE')?.value ?? '';
      if (!device.startsWith('cuda')) problems.push(`${where(entry)}: ${c.name} has a GPU but SCORESTREAM_DEVICE is '${device}'`);
      if (!(pod.tolerations ?? []).some(t => t.key === 'nvidia.com/gpu')) problems.push(`${where(entry)}: no toleration of GPU nodes' taint`);
      if (!pod.nodeSelector && !pod.affinity) problems.push(`${where(entry)}: nothing keeps it to GPU nodes`);
    }
  }
}

for (const entry of objects.filter(e => e.o.kind === 'Service')) {
  const selector = entry.o.spec.selector ?? {};
  const target = deployments.find(d =>
    Object.entries(selector).every(([k, v]) => (d.o.spec.template.metadata?.labels ?? {})[k] === v));
  if (!target) {
    problems.push(`${where(entry)}: selects no pods of a Deployment`);
    continue;
  }
  for (const p of entry.o.spec.ports ?? []) {
    const port = p.targetPort ?? p.port;
    if (!target.o.spec.template.spec.containers.some(c => portOf(c, port))) {
      problems.push(`${where(entry)}: port ${port} is not one its pods open`);
    }
  }
}

for (const entry of objects.filter(e => e.o.kind === 'Ingress')) {
  for (const rule of entry.o.spec.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const s = p.backend?.service;
      const service = objects.find(e => e.o.kind === 'Service' && e.o.metadata.name === s?.name);
      if (!service) problems.push(`${where(entry)}: no Service ${s?.name}`);
      else if (!(service.o.spec.ports ?? []).some(sp => sp.name === s.port?.name || sp.port === s.port?.number)) {
        problems.push(`${where(entry)}: Service ${s.name} has no port ${JSON.stringify(s.port)}`);
      }
    }
  }
}

for (const entry of objects.filter(e => e.o.kind === 'HorizontalPodAutoscaler')) {
  const target = entry.o.spec.scaleTargetRef?.name;
  if (!deployments.some(d => d.o.metadata.name === target)) problems.push(`${where(entry)}: scales ${target}, no Deployment here`);
}
const scaled = objects.filter(e => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(e.o.kind))
  .map(e => e.o.spec.scaleTargetRef?.name);
for (const name of new Set(scaled)) {
  if (scaled.filter(n => n === name).length > 1) problems.push(`Deployment ${name}: two autoscalers would fight over it`);
}

const config = objects.find(e => e.o.kind === 'ConfigMap' && e.o.metadata.name === 'scorestream-config')?.o.data ?? {};
const prefix = config.SCORESTREAM_TOPIC_PREFIX ?? 'scorestream';
for (const entry of objects.filter(e => e.o.kind === 'ScaledObject')) {
  const target = entry.o.spec.scaleTargetRef?.name;
  if (!deployments.some(d => d.o.metadata.name === target)) problems.push(`${where(entry)}: scales ${target}, no Deployment here`);
  for (const t of entry.o.spec.triggers ?? []) {
    if (t.type !== 'kafka') continue;
    const {consumerGroup: group, topic, bootstrapServers} = t.metadata ?? {};
    const pool = /^(.*)-workers\.model\.(.+)$/.exec(group ?? '');
    const expected = group === `${prefix}-workers` ? `${prefix}.jobs`
      : pool && pool[1] === prefix ? `${prefix}.jobs.model.${pool[2]}` : undefined;
    if (!expected) problems.push(`${where(entry)}: ${group} is not a workers' consumer group for prefix ${prefix}`);
    else if (topic !== expected) problems.push(`${where(entry)}: group ${group} reads ${expected}, not ${topic}`);
    if (bootstrapServers !== config.SCORESTREAM_BOOTSTRAP_SERVERS) {
      problems.push(`${where(entry)}: watches ${bootstrapServers}, the services use ${config.SCORESTREAM_BOOTSTRAP_SERVERS}`);
    }
  }
}

for (const entry of objects.filter(e => e.o.kind === 'Kafka')) {
  const {name} = entry.o.metadata;
  const c = entry.o.spec.kafka.config ?? {};
  if (c['default.replication.factor'] !== 3 || c['min.insync.replicas'] !== 2
      || c['offsets.topic.replication.factor'] !== 3) {
    problems.push(`${where(entry)}: topics must keep three copies with two in sync`);
  }
  const nodes = objects.filter(e => e.o.kind === 'KafkaNodePool' && e.o.metadata.labels?.['strimzi.io/cluster'] === name)
    .reduce((n, e) => n + (e.o.spec.roles.includes('broker') ? e.o.spec.replicas : 0), 0);
  if (nodes < 3) problems.push(`${where(entry)}: ${nodes} broker nodes in its pools, three needed`);
  const plain = (entry.o.spec.kafka.listeners ?? []).find(l => l.type === 'internal' && !l.tls);
  const bootstrap = plain && `${name}-kafka-bootstrap:${plain.port}`;
  if (bootstrap !== config.SCORESTREAM_BOOTSTRAP_SERVERS) {
    problems.push(`${where(entry)}: serves ${bootstrap}, scorestream-config names ${config.SCORESTREAM_BOOTSTRAP_SERVERS}`);
  }
}

for (const p of problems) console.log(p);
console.log(`${objects.length} objects, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
