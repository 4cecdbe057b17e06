// Checks compose files as the Maven suite's DeploymentFilesTest runs it: `node check-compose.mjs FILE...`.
// First the Compose Specification's JSON schema (as dclint bundles it; it sees files before interpolation, so
// `replicas: many` would pass), then what the schema cannot say about this project's topology: KRaft nodes with
// unique ids, one cluster id and the same voters that name every node; every depends_on, secret and volume
// defined; no service as root; a health check on every service.
// Prints one line per problem and exits 1 when there is any.
import fs from 'node:fs';
import YAML from 'yaml';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const schemaFile = new URL('./node_modules/dclint/schemas/compose.schema.json', import.meta.url);
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
delete schema.$schema; // draft-07's meta-schema URL, which ajv knows by itself
const ajv = new Ajv({allErrors: true, strict: false});
addFormats(ajv);
const validate = ajv.compile(schema);

function semantic(doc) {
  const problems = [];
  const services = doc.services ?? {};
  const nodes = Object.entries(services).filter(([, s]) => s.environment?.KAFKA_PROCESS_ROLES);
  const ids = nodes.map(([, s]) => String(s.environment.KAFKA_NODE_ID));
  if (new Set(ids).size !== ids.length) problems.push(`KAFKA_NODE_ID not unique: ${ids}`);
  for (const key of ['CLUSTER_ID', 'KAFKA_CONTROLLER_QUORUM_VOTERS']) {
    const values = new Set(nodes.map(([, s]) => String(s.environment[key])));
    if (values.size > 1) problems.push(`${key} differs between nodes: ${[...values]}`);
  }
  for (const [name, s] of nodes) {
    const voters = String(s.environment.KAFKA_CONTROLLER_QUORUM_VOTERS).split(',').map(v => v.split('@')[0]);
    if (!voters.includes(String(s.environment.KAFKA_NODE_ID))) {
      problems.push(`${name}: node ${s.environment.KAFKA_NODE_ID} is not among the voters ${voters}`);
    }
  }
  for (const [name, s] of Object.entries(services)) {
    for (const dep of Object.keys(Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map(d => [d, 1])) : s.depends_on ?? {})) {
      if (!services[dep]) problems.push(`${name} depends on ${dep}, which is not a service`);
    }
    for (const secret of s.secrets ?? []) {
      const id = typeof secret === 'string' ? secret : secret.source;
      if (!doc.secrets?.[id]) problems.push(`${name} uses secret ${id}, which is not defined`);
    }
    for (const volume of s.volumes ?? []) {
      const source = String(typeof volume === 'string' ? volume.split(':')[0] : volume.source);
      if (!/^[.$/~]/.test(source) && !(doc.volumes && source in doc.volumes)) {
        problems.push(`${name} mounts volume ${source}, which is not defined`);
      }
    }
    if (s.user !== undefined && /^(0|root)(:|$)/.test(String(s.user))) problems.push(`${name} runs as root`);
    if (!s.healthcheck) problems.push(`${name} has no health check`);
  }
  return problems;
}

let bad = 0;
for (const file of process.argv.slice(2)) {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'), {merge: true});
  const problems = validate(doc) ? [] : validate.errors.map(e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  problems.push(...semantic(doc));
  for (const p of problems) console.log(`${file}: ${p}`);
  if (problems.length) bad++;
  else console.log(`${file}: valid`);
}
process.exit(bad ? 1 : 0);
