// Validates Kubernetes objects against the Kubernetes OpenAPI schema (kubernetes-models). Reads the file named first:
// JSON (one object or an array) or YAML (one or more documents, as `kubectl kustomize` renders them), and prints
// [{ kind, name, errors: [...], object }]; errors is empty for a valid object. An object of a kind it does not know is
// an error.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const modules = {
  'batch/v1/Job': () => import('kubernetes-models/batch/v1/Job'),
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment'),
  'v1/Service': () => import('kubernetes-models/v1/Service'),
  'v1/Namespace': () => import('kubernetes-models/v1/Namespace'),
  'v1/ServiceAccount': () => import('kubernetes-models/v1/ServiceAccount'),
  'v1/PersistentVolumeClaim': () => import('kubernetes-models/v1/PersistentVolumeClaim'),
  'v1/Secret': () => import('kubernetes-models/v1/Secret'),
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap'),
  'rbac.authorization.k8s.io/v1/Role': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/Role'),
  'rbac.authorization.k8s.io/v1/RoleBinding': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'),
  'rbac.authorization.k8s.io/v1/ClusterRole': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'),
  'networking.k8s.io/v1/Ingress': () => import('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'networking.k8s.io/v1/NetworkPolicy': () => import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'policy/v1/PodDisruptionBudget': () => import('kubernetes-models/policy/v1/PodDisruptionBudget'),
};

const text = readFileSync(process.argv[2], 'utf8');
const input = process.argv[2].endsWith('.json') ? JSON.parse(text) : parseAllDocuments(text).map(d => d.toJSON()).filter(o => o);
const results = [];
for (const object of Array.isArray(input) ? input : [input]) {
  const id = `${object.apiVersion}/${object.kind}`;
  const name = object.metadata?.name ?? '';
  const load = modules[id];
  if (!load) {
    results.push({ kind: id, name, errors: [`unknown kind ${id}`], object });
    continue;
  }
  const Model = Object.values(await load()).find(v => typeof v === 'function');
  try {
    new Model(object).validate();
    results.push({ kind: id, name, errors: [], object });
  } catch (error) {
    results.push({ kind: id, name, errors: (error.errors ?? [error]).map(e => `${e.instancePath ?? ''} ${e.message}`.trim()), object });
  }
}
console.log(JSON.stringify(results));
