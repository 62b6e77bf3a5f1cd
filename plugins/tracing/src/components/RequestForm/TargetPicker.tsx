import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  METHOD_TARGET_KINDS,
  TargetKind,
  TargetRef,
  TracingMethod,
} from '@tracegate/plugin-tracing-common';
import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';

const keyOf = (t: Pick<TargetRef, 'kind' | 'namespace' | 'name'>) =>
  `${t.kind} ${t.namespace}/${t.name}`;

export type TargetFields = {
  namespace: string;
  workloadKind: TargetKind;
  workloadName: string;
};

/**
 * The request's target: picked from the entity's own workloads (or
 * Prometheus CRs) on the cluster, as the backend lists them; typed only when
 * that list cannot be read, and then marked so.
 */
export const TargetPicker = (props: {
  entityRef: string;
  cluster: string;
  method: TracingMethod;
  value: TargetFields;
  onChange: (change: Partial<TargetFields>) => void;
  errors: Record<string, string>;
}) => {
  const { entityRef, cluster, method, value, onChange, errors } = props;
  const tracingApi = useApi(tracingApiRef);
  const targets = useAsync(
    async () =>
      entityRef && cluster
        ? tracingApi.listEntityWorkloads(entityRef, cluster, method)
        : undefined,
    [tracingApi, entityRef, cluster, method],
  );
  const listed =
    targets.value && !targets.value.error ? targets.value : undefined;
  const selectedKey = keyOf({
    kind: value.workloadKind,
    namespace: value.namespace,
    name: value.workloadName,
  });
  const only = listed?.items.length === 1 ? listed.items[0] : undefined;
  const choose = (target: TargetRef) =>
    onChange({
      namespace: target.namespace,
      workloadKind: target.kind,
      workloadName: target.name,
    });
  useEffect(() => {
    if (only && keyOf(only) !== selectedKey) choose(only);
    // Only when the list changes: the user's later choice stays.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [only]);

  const field = (name: string) => ({
    error: Boolean(errors[name]),
    helperText: errors[name],
  });
  const noun = method === 'ebpf' ? 'workload' : 'Prometheus resource';

  if (!entityRef || !cluster) {
    return (
      <Typography color="textSecondary">
        Pick a service and a cluster to see its {noun}s.
      </Typography>
    );
  }
  if (targets.loading) return <Progress />;

  if (listed) {
    const targetError =
      errors['workload.name'] ?? errors.namespace ?? errors['workload.kind'];
    if (listed.items.length === 0) {
      return (
        <Typography color="error" role="alert">
          No {noun} of this service on cluster {cluster} ({listed.selector}).
          Tracing can be requested only for a service's own {noun}s: label them,
          or ask a platform admin.
        </Typography>
      );
    }
    return (
      <TextField
        select
        fullWidth
        id="tracing-target"
        label={method === 'ebpf' ? 'Workload' : 'Prometheus resource'}
        value={
          listed.items.some(t => keyOf(t) === selectedKey) ? selectedKey : ''
        }
        onChange={e => {
          const target = listed.items.find(t => keyOf(t) === e.target.value);
          if (target) choose(target);
        }}
        error={Boolean(targetError)}
        helperText={
          targetError ?? `This service's, found by ${listed.selector}`
        }
      >
        {listed.items.map(t => (
          <MenuItem key={keyOf(t)} value={keyOf(t)}>
            {keyOf(t)}
          </MenuItem>
        ))}
      </TextField>
    );
  }

  const why = targets.error?.message ?? targets.value?.error;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <Typography color="error" role="alert">
          Could not list this service's {noun}s on cluster {cluster}: {why}.
          Type the target below: Tracegate checks it when you file and again
          when an admin approves; while the cluster cannot be read, the request
          is marked "not verified".
        </Typography>
      </Grid>
      <Grid item xs={12} md={4}>
        <TextField
          fullWidth
          id="tracing-namespace"
          label="Namespace"
          value={value.namespace}
          onChange={e => onChange({ namespace: e.target.value })}
          {...field('namespace')}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <TextField
          select
          fullWidth
          id="tracing-workload-kind"
          label="Kind"
          value={value.workloadKind}
          onChange={e =>
            onChange({ workloadKind: e.target.value as TargetKind })
          }
          {...field('workload.kind')}
        >
          {METHOD_TARGET_KINDS[method].map(kind => (
            <MenuItem key={kind} value={kind}>
              {kind}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} md={4}>
        <TextField
          fullWidth
          id="tracing-workload-name"
          label="Name"
          value={value.workloadName}
          onChange={e => onChange({ workloadName: e.target.value })}
          {...field('workload.name')}
        />
      </Grid>
    </Grid>
  );
};
