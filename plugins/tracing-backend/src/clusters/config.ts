import { Config } from '@backstage/config';

/** Tempo settings of one cluster. */
export type TempoSettings = {
  otlpEndpoint: string;
  protocol: 'grpc' | 'http/protobuf';
  insecure: boolean;
  grafanaUrl?: string;
  datasourceUid: string;
  queryUrl?: string;
  datasourceNamespace: string;
};

/** Beyla settings of one cluster. */
export type BeylaSettings = {
  namespace: string;
  image: string;
  dialect: 'instrument' | 'services';
  privileged: boolean;
};

/** How to reach one cluster's API server. */
export type ClusterConnection =
  | {
      authProvider: 'serviceAccount';
      url: string;
      token: string;
      caData?: string;
      caFile?: string;
      skipTLSVerify: boolean;
    }
  | { authProvider: 'kubeconfig'; file: string; context?: string }
  | { authProvider: 'inCluster' };

/** One entry of `tracing.clusters`, with defaults filled in. */
export type ClusterSettings = {
  name: string;
  connection: ClusterConnection;
  tempo: TempoSettings;
  beyla: BeylaSettings;
};

/** Reads `tracing.clusters` (schema: config.d.ts). */
export function readClusterSettings(config: Config): ClusterSettings[] {
  return (config.getOptionalConfigArray('tracing.clusters') ?? []).map(c => {
    const name = c.getString('name');
    const authProvider =
      c.getOptionalString('authProvider') ?? 'serviceAccount';
    let connection: ClusterConnection;
    if (authProvider === 'kubeconfig') {
      connection = {
        authProvider,
        file: c.getString('kubeconfig.file'),
        context: c.getOptionalString('kubeconfig.context'),
      };
    } else if (authProvider === 'inCluster') {
      connection = { authProvider };
    } else if (authProvider === 'serviceAccount') {
      const url = c.getOptionalString('url');
      if (!url) {
        throw new Error(
          `tracing.clusters[${name}].url: required with authProvider serviceAccount`,
        );
      }
      connection = {
        authProvider,
        url,
        token: c.getOptionalString('serviceAccountToken') ?? '',
        caData: c.getOptionalString('caData'),
        caFile: c.getOptionalString('caFile'),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
      };
    } else {
      throw new Error(
        `tracing.clusters[${name}].authProvider: unknown provider ${authProvider}`,
      );
    }
    const protocol = c.getOptionalString('tempo.protocol') ?? 'grpc';
    if (protocol !== 'grpc' && protocol !== 'http/protobuf') {
      throw new Error(`tracing.clusters[${name}].tempo.protocol: ${protocol}`);
    }
    const dialect = c.getOptionalString('beyla.dialect') ?? 'instrument';
    if (dialect !== 'instrument' && dialect !== 'services') {
      throw new Error(`tracing.clusters[${name}].beyla.dialect: ${dialect}`);
    }
    return {
      name,
      connection,
      tempo: {
        otlpEndpoint:
          c.getOptionalString('tempo.otlpEndpoint') ??
          'tempo-distributor.tempo.svc:4317',
        protocol,
        insecure: c.getOptionalBoolean('tempo.insecure') ?? true,
        grafanaUrl: c.getOptionalString('tempo.grafanaUrl'),
        datasourceUid: c.getOptionalString('tempo.datasourceUid') ?? 'tempo',
        queryUrl: c.getOptionalString('tempo.queryUrl'),
        datasourceNamespace:
          c.getOptionalString('tempo.datasourceNamespace') ?? 'monitoring',
      },
      beyla: {
        namespace: c.getOptionalString('beyla.namespace') ?? 'beyla',
        image: c.getOptionalString('beyla.image') ?? 'grafana/beyla:2.5.0',
        dialect,
        privileged: c.getOptionalBoolean('beyla.privileged') ?? true,
      },
    };
  });
}
