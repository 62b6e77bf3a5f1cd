import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { ClusterState, ClusterStore } from './ClusterStore';
import { migrateDatabase } from './migrate';

const CLUSTERS = 'tracing_clusters';

/**
 * {@link ClusterStore} in the plugin's database (`tracing_clusters`).
 *
 * @internal
 */
export class DatabaseClusterStore implements ClusterStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseClusterStore> {
    return new DatabaseClusterStore(await migrateDatabase(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async clusterRevision(cluster: string): Promise<number> {
    const row = await this.db(CLUSTERS).where({ cluster }).first('revision');
    return Number(row?.revision ?? 0);
  }

  async acquireLease(options: {
    cluster: string;
    holder: string;
    ttlMs: number;
    now: number;
  }): Promise<boolean> {
    // One UPDATE in the common case (renewals before every write); the row
    // is made on a cluster's first lease.
    const take = () =>
      this.db(CLUSTERS)
        .where({ cluster: options.cluster })
        .andWhere(free =>
          free
            .whereNull('lease_holder')
            .orWhere('lease_holder', options.holder)
            .orWhere('lease_expires_at', '<', options.now),
        )
        .update({
          lease_holder: options.holder,
          lease_expires_at: options.now + options.ttlMs,
        });
    if ((await take()) > 0) return true;
    await this.ensureRow(options.cluster);
    return (await take()) > 0;
  }

  async releaseLease(options: {
    cluster: string;
    holder: string;
  }): Promise<void> {
    await this.db(CLUSTERS)
      .where({ cluster: options.cluster, lease_holder: options.holder })
      .update({ lease_holder: null, lease_expires_at: null });
  }

  async recordState(cluster: string, state: ClusterState): Promise<void> {
    await this.ensureRow(cluster);
    await this.db(CLUSTERS)
      .where({ cluster })
      .update({ state: JSON.stringify(state) });
  }

  async states(clusters: string[]): Promise<Map<string, ClusterState>> {
    const rows = clusters.length
      ? await this.db(CLUSTERS)
          .whereIn('cluster', clusters)
          .whereNotNull('state')
          .select('cluster', 'state')
      : [];
    return new Map(
      rows.map((row: { cluster: string; state: string }) => [
        row.cluster,
        JSON.parse(row.state) as ClusterState,
      ]),
    );
  }

  private async ensureRow(cluster: string) {
    await this.db(CLUSTERS)
      .insert({ cluster, revision: 0 })
      .onConflict('cluster')
      .ignore();
  }
}
