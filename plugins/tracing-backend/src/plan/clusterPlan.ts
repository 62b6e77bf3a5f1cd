/**
 * The one way to go from a request set to a plan for a cluster: render the
 * desired objects (render/, pure), read what the cluster holds of them (the
 * I/O, here only), and plan (planCluster, pure). The reconciler calls it with
 * the live set and executes the plan; the preview calls it with the set as
 * approval would make it and dry-runs the objects approval changes.
 */
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { KubeApi } from '../clusters/KubeApi';
import { renderCluster } from '../render';
import { KubeObject } from '../render/types';
import { LiveState, readLiveState } from './liveState';
import { ClusterPlan, planCluster } from './plan';

export type PlannedCluster = {
  requests: TracingRequest[];
  desired: KubeObject[];
  live: LiveState;
  plan: ClusterPlan;
};

export async function clusterPlan(options: {
  api: KubeApi;
  cluster: ClusterSettings;
  requests: TracingRequest[];
  /**
   * Whole cluster: also what Tracegate may remove (the reconciler). Else
   * only the desired objects `only` keeps are read and planned (a preview).
   */
  removable: boolean;
  only?: (object: KubeObject) => boolean;
}): Promise<PlannedCluster> {
  const { api, cluster, requests } = options;
  const rendered = renderCluster(cluster, requests);
  const desired = options.only ? rendered.filter(options.only) : rendered;
  const live = await readLiveState(api, desired, {
    removable: options.removable,
    beylaNamespace: cluster.beyla.namespace,
  });
  return {
    requests,
    desired,
    live,
    plan: planCluster({ cluster: cluster.name, desired, requests, live }),
  };
}
