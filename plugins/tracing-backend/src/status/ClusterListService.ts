import { ClusterInfo } from '@tracegate/plugin-tracing-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { describeKubeError } from '../clusters/errors';

/**
 * `GET /clusters`: each configured cluster with its reachability and version.
 *
 * @internal
 */
export class ClusterListService {
  constructor(private readonly clusters: ClusterRegistry) {}

  async listClusters(): Promise<ClusterInfo[]> {
    return Promise.all(
      this.clusters.clusters.map(async cluster => {
        const info: ClusterInfo = {
          name: cluster.name,
          beylaDialect: cluster.beyla.dialect,
          reachable: false,
        };
        try {
          info.version = (
            await this.clusters.api(cluster).version()
          ).gitVersion;
          info.reachable = true;
        } catch (error) {
          info.error = describeKubeError(error);
        }
        return info;
      }),
    );
  }
}
