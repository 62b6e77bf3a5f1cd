import { stringify } from 'yaml';
import { TempoSettings } from '../clusters/config';
import { KubeObject, MANAGED_BY, MANAGED_BY_LABEL } from './types';

export const DATASOURCE_CONFIG_MAP = 'tracegate-tempo-datasource';
export const OTLP_CA_CONFIG_MAP = 'tracegate-otlp-ca';
export const OTLP_CA_KEY = 'ca.crt';

/** The CA of a TLS OTLP endpoint, for the exporters in one namespace. */
export function otlpCaConfigMap(
  caPem: string,
  namespace: string,
  labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY },
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: OTLP_CA_CONFIG_MAP, namespace, labels },
    data: { [OTLP_CA_KEY]: caPem },
  };
}

/**
 * The Grafana datasource for the cluster's Tempo, loaded by the Grafana chart's
 * sidecar (label grafana_datasource: "1"). Only where `tempo.queryUrl` is set.
 */
export function renderTempoDatasource(tempo: TempoSettings): KubeObject[] {
  if (!tempo.queryUrl) return [];
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: DATASOURCE_CONFIG_MAP,
        namespace: tempo.datasourceNamespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY, grafana_datasource: '1' },
      },
      data: {
        'tracegate-tempo.yaml': stringify({
          apiVersion: 1,
          datasources: [
            {
              name: 'Tempo',
              type: 'tempo',
              uid: tempo.datasourceUid,
              url: tempo.queryUrl,
              access: 'proxy',
              jsonData: {
                nodeGraph: { enabled: true },
                search: { hide: false },
              },
            },
          ],
        }),
      },
    },
  ];
}
