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
    ...renderBeyla(ebpf, cluster.beyla, cluster.tempo, cluster.delivery.type),
    ...renderPrometheus(prometheus, cluster.tempo),
    ...(liveRequests.length > 0 ? renderTempoDatasource(cluster.tempo) : []),
  ];
}

export {
  BEYLA_CONFIG_KEY,
  BEYLA_CONFIG_LABEL,
  BEYLA_CONFIG_PREFIX,
  BEYLA_NAME,
  BEYLA_POD_SELECTOR,
  BEYLA_TEMPLATE_ANNOTATION,
  beylaConfigMapName,
  configMapOfBeylaPod,
} from './beyla';
export {
  beylaConfig,
  discoveryEntriesOf,
  renderBeylaConfig,
} from './beylaConfig';
export { parseBeylaSelections, targetKey } from './beylaSelections';
export type { BeylaSelections } from './beylaSelections';
export * from './types';
