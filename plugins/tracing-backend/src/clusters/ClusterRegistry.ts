import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import {
  ScmIntegrationRegistry,
  ScmIntegrations,
} from '@backstage/integration';
import { GitDelivery } from '../gitops/GitDelivery';
import { ClusterSettings } from './config';
import { KubeApi } from './KubeApi';

/**
 * The configured clusters and one API client each: the one place that
 * answers "which cluster is this name" for the reconciler, previews and status.
 *
 * @internal
 */
export class ClusterRegistry {
  private readonly apis = new Map<string, KubeApi>();
  private readonly deliveries = new Map<string, GitDelivery>();

  constructor(
    readonly clusters: ClusterSettings[],
    private readonly createApi: (
      cluster: ClusterSettings,
    ) => KubeApi = KubeApi.fromSettings,
    /** `integrations` of app-config: credentials of git deliveries. */
    private readonly integrations: ScmIntegrationRegistry = ScmIntegrations.fromConfig(
      new ConfigReader({}),
    ),
  ) {}

  /** The cluster's git delivery (its local clone), when it delivers through git. */
  gitDelivery(cluster: ClusterSettings): GitDelivery | undefined {
    if (cluster.delivery.type !== 'git') return undefined;
    let delivery = this.deliveries.get(cluster.name);
    if (!delivery) {
      delivery = new GitDelivery(
        cluster.name,
        cluster.delivery,
        this.integrations,
      );
      this.deliveries.set(cluster.name, delivery);
    }
    return delivery;
  }

  get names(): string[] {
    return this.clusters.map(c => c.name);
  }

  find(name: string): ClusterSettings | undefined {
    return this.clusters.find(c => c.name === name);
  }

  /** The cluster by name, or a 404 naming it. */
  get(name: string): ClusterSettings {
    const cluster = this.find(name);
    if (!cluster) throw new NotFoundError(`No cluster named ${name}`);
    return cluster;
  }

  /** The cluster's API client, created on first use and then kept. */
  api(cluster: ClusterSettings): KubeApi {
    let api = this.apis.get(cluster.name);
    if (!api) {
      api = this.createApi(cluster);
      this.apis.set(cluster.name, api);
    }
    return api;
  }

  /** Closes every client's connections and removes the local clones. */
  async close() {
    for (const api of this.apis.values()) api.close();
    this.apis.clear();
    await Promise.all([...this.deliveries.values()].map(d => d.close()));
    this.deliveries.clear();
  }
}
