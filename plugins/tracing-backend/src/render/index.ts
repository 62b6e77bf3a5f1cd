import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { renderBeyla } from './beyla';
import { renderPrometheus } from './prometheus';
import { renderTempoDatasource } from './tempo';
import { KubeObject } from './types';

/**
 * Everything Tracegate wants on one cluster for its live requests, in apply
 * order (namespaces and RBAC before what uses them). Pure: same input, same
 * objects.
 */
export function renderCluster(
  cluster: ClusterSettings,
  liveRequests: TracingRequest[],
): KubeObject[] {
  const ebpf = liveRequests.filter(r => r.method === 'ebpf');
  const prometheus = liveRequests.filter(r => r.method === 'prometheus');
  return [
    ...renderBeyla(ebpf, cluster.beyla, cluster.tempo),
    ...renderPrometheus(prometheus, cluster.tempo),
    ...(liveRequests.length > 0 ? renderTempoDatasource(cluster.tempo) : []),
  ];
}

export {
  beylaConfig,
  beylaDiscoveryEntry,
  discoveryEntriesOf,
  renderBeylaConfig,
  BEYLA_CONFIG_KEY,
  BEYLA_CONFIG_MAP,
  BEYLA_NAME,
  BEYLA_POD_SELECTOR,
} from './beyla';
export * from './types';
