import { ClusterSettings } from '../clusters/config';
import { grafanaTraceUrl } from '../status/grafana';

/**
 * Where a user opens one trace: Grafana Explore for a Tempo store (with
 * `tempo.grafanaUrl`), the Jaeger UI for a Jaeger store (with
 * `traces.uiUrl`); none without them.
 */
export function traceUrl(
  cluster: ClusterSettings,
  traceId: string,
): string | undefined {
  if (cluster.traces?.type === 'jaeger') {
    return cluster.traces.uiUrl
      ? `${cluster.traces.uiUrl}/trace/${traceId}`
      : undefined;
  }
  return cluster.tempo.grafanaUrl
    ? grafanaTraceUrl(
        cluster.tempo.grafanaUrl,
        cluster.tempo.datasourceUid,
        traceId,
      )
    : undefined;
}
