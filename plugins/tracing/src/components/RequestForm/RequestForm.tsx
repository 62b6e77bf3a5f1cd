/**
 * The request form: the fields of one tracing request, validated as the
 * backend validates them, its preview, and filing it. The form's state and
 * its rules are formModel.ts; the target picker is TargetPicker.tsx.
 */
import {
  Content,
  ErrorPanel,
  InfoCard,
  Progress,
} from '@backstage/core-components';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Slider from '@material-ui/core/Slider';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  maxDurationDays,
  fieldErrorsOfBody,
  holdsTarget,
  isTracingAvailable,
  TARGET_HOLDING_STATUSES,
  SAMPLER_NAMES,
  TracingPreview,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';
import { PreviewCard } from '../PreviewCard';
import { StatusBadge } from '../StatusBadge';
import { useMaxDurationMs } from '../useMaxDurationMs';
import { LiveRequestNotice } from './LiveRequestNotice';
import { TargetPicker } from './TargetPicker';
import {
  emptyForm,
  FormState,
  prefillTarget,
  sameTarget,
  targetOf,
  toErrorMap,
  toInput,
  validate,
} from './formModel';

const METHOD_HELP = {
  ebpf: 'eBPF (Grafana Beyla): traces apps without an OpenTelemetry SDK, from the kernel, no code change.',
  prometheus:
    "Native (Prometheus): sets spec.tracingConfig on one of the service's Prometheus custom resources.",
};

/**
 * Components the signed-in user owns that say where they run (the entities
 * with a Tracing tab), for the entity picker.
 */
function useOwnedComponents() {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);
  return useAsync(async () => {
    const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
    const { items } = await catalogApi.getEntities({
      filter: {
        kind: 'Component',
        'relations.ownedBy': ownershipEntityRefs,
      },
    });
    return items.filter(isTracingAvailable);
  }, [catalogApi, identityApi]);
}

const RequestFormWithLimit = (props: {
  entityRef?: string;
  maxDurationMs: number;
}) => {
  const tracingApi = useApi(tracingApiRef);
  const { maxDurationMs } = props;
  const services = useOwnedComponents();
  const clusters = useAsync(() => tracingApi.listClusters(), [tracingApi]);

  const [form, setForm] = useState<FormState>(() => emptyForm(props.entityRef));
  const [touched, setTouched] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  // The backend's answer in words: a 409 says which request holds the target.
  const [serverError, setServerError] = useState<string>();
  const [preview, setPreview] = useState<TracingPreview>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<TracingRequest>();
  const liveRequests = useAsync(
    async () =>
      form.entityRef
        ? (
            await tracingApi.listRequests({
              entityRef: form.entityRef,
              status: [...TARGET_HOLDING_STATUSES],
              limit: 100,
            })
          ).items
        : [],
    [tracingApi, form.entityRef, created],
  );
  // The request that holds the target (not a pending replacement of it).
  const holder = liveRequests.value?.find(
    r => holdsTarget(r) && sameTarget(form, targetOf(r)),
  );

  const errors = touched
    ? { ...validate(form, maxDurationMs), ...serverErrors }
    : serverErrors;
  const maxDays = maxDurationDays(maxDurationMs);

  const selected = services.value?.find(
    e => stringifyEntityRef(e) === form.entityRef,
  );
  // The entity whose annotations last filled namespace and workload: each
  // entity prefills once, so a field the user cleared stays clear.
  const [prefilledFor, setPrefilledFor] = useState<string>();
  const update = (change: Partial<FormState>) => {
    setForm(current => {
      const next = { ...current, ...change };
      // A replacement keeps its target: another target replaces nothing.
      return sameTarget(next, current)
        ? next
        : { ...next, supersedes: undefined };
    });
    setPreview(undefined);
    setServerErrors({});
  };
  const selectEntity = (entity?: Entity) => {
    if (!entity) return;
    const entityRef = stringifyEntityRef(entity);
    setPrefilledFor(entityRef);
    const { namespace, workloadName } = prefillTarget(form, entity);
    update({ entityRef, namespace, workloadName });
  };
  // The entity of the URL, once the catalog answered.
  useEffect(() => {
    if (!selected || prefilledFor === form.entityRef) return;
    setPrefilledFor(form.entityRef);
    setForm(f => prefillTarget(f, selected));
  }, [selected, form.entityRef, prefilledFor]);
  const firstCluster = clusters.value?.[0]?.name;
  useEffect(() => {
    if (firstCluster)
      setForm(f => (f.cluster ? f : { ...f, cluster: firstCluster }));
  }, [firstCluster]);

  /** Validates (all fields, or `only` some), then runs the call. */
  async function run(
    action: () => Promise<void>,
    options: { only?: string[] } = {},
  ) {
    setTouched(true);
    setServerError(undefined);
    const invalid = Object.keys(validate(form, maxDurationMs)).filter(
      f => !options.only || options.only.includes(f),
    );
    if (invalid.length > 0) return;
    setBusy(true);
    try {
      await action();
    } catch (error) {
      const message =
        error instanceof ResponseError
          ? error.body.error.message
          : String(error);
      const fields =
        error instanceof ResponseError && error.statusCode === 400
          ? fieldErrorsOfBody(error.body.error)
          : [];
      if (fields.length) setServerErrors(toErrorMap(fields));
      else setServerError(message);
    } finally {
      setBusy(false);
    }
  }

  if (services.loading || clusters.loading) return <Progress />;
  if (services.error)
    return (
      <ErrorPanel title="Could not load your services" error={services.error} />
    );
  if (clusters.error)
    return (
      <ErrorPanel title="Could not load the clusters" error={clusters.error} />
    );

  if (created) {
    return (
      <InfoCard title="Tracing requested">
        <Typography paragraph>
          Your request for <b>{created.workload.name}</b> on{' '}
          <b>{created.cluster}</b> is <StatusBadge status={created.status} />. A
          platform admin will review it.
          {created.supersedes &&
            ' When approved, it replaces the live request, which stays in place until then.'}
        </Typography>
        <EntityRefLink entityRef={created.entityRef}>
          Back to the service
        </EntityRefLink>
      </InfoCard>
    );
  }

  const field = (name: string) => ({
    error: Boolean(errors[name]),
    helperText: errors[name],
  });
  const percent = Math.round(form.ratio * 1000) / 10;
  const ownedRefs = services.value ?? [];

  return (
    <Content>
      <InfoCard title="Request tracing">
        <Grid container spacing={2}>
          <Grid item xs={12} md={6}>
            <TextField
              select
              fullWidth
              id="tracing-service"
              label="Service"
              value={
                ownedRefs.some(e => stringifyEntityRef(e) === form.entityRef)
                  ? form.entityRef
                  : ''
              }
              onChange={e =>
                selectEntity(
                  ownedRefs.find(x => stringifyEntityRef(x) === e.target.value),
                )
              }
              {...field('entityRef')}
              helperText={
                errors.entityRef ??
                (ownedRefs.length
                  ? 'Services your teams own'
                  : 'You own no services')
              }
            >
              {ownedRefs.map(e => (
                <MenuItem
                  key={stringifyEntityRef(e)}
                  value={stringifyEntityRef(e)}
                >
                  {e.metadata.title ?? e.metadata.name}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} md={6}>
            <TextField
              select
              fullWidth
              id="tracing-cluster"
              label="Cluster"
              value={form.cluster}
              onChange={e => update({ cluster: e.target.value })}
              {...field('cluster')}
            >
              {(clusters.value ?? []).map(c => (
                <MenuItem key={c.name} value={c.name}>
                  {c.name} {c.reachable ? `(${c.version})` : '(unreachable)'}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12}>
            <TargetPicker
              entityRef={form.entityRef}
              cluster={form.cluster}
              method={form.method}
              value={form}
              onChange={update}
              errors={errors}
            />
          </Grid>
          <Grid item xs={12}>
            <FormControl component="fieldset">
              <FormLabel component="legend">Method</FormLabel>
              <RadioGroup
                aria-label="Method"
                value={form.method}
                onChange={e => {
                  const method = e.target.value as FormState['method'];
                  // Each method has its own kind of target: pick again.
                  update({
                    method,
                    workloadKind:
                      method === 'prometheus' ? 'Prometheus' : 'Deployment',
                    workloadName: '',
                    namespace: '',
                  });
                }}
              >
                <FormControlLabel
                  value="ebpf"
                  control={<Radio />}
                  label={METHOD_HELP.ebpf}
                />
                <FormControlLabel
                  value="prometheus"
                  control={<Radio />}
                  label={METHOD_HELP.prometheus}
                />
              </RadioGroup>
            </FormControl>
          </Grid>
          <Grid item xs={12} md={6}>
            <TextField
              select
              fullWidth
              id="tracing-sampler"
              label="Sampler"
              value={form.sampler}
              onChange={e =>
                update({ sampler: e.target.value as FormState['sampler'] })
              }
              {...field('sampling.sampler')}
            >
              {SAMPLER_NAMES.map(name => (
                <MenuItem key={name} value={name}>
                  {name}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} md={6}>
            <Typography id="ratio-label" gutterBottom>
              Ratio: {form.ratio} (≈ {percent}% of requests)
            </Typography>
            <Slider
              aria-labelledby="ratio-label"
              min={0}
              max={1}
              step={0.01}
              value={form.ratio}
              onChange={(_, value) => update({ ratio: value as number })}
            />
            {errors['sampling.ratio'] && (
              <Typography color="error" variant="caption">
                {errors['sampling.ratio']}
              </Typography>
            )}
          </Grid>
          <Grid item xs={12} md={6}>
            <TextField
              fullWidth
              id="tracing-open-ports"
              label="Open ports (optional)"
              placeholder="8080 or 80,443 or 2000-15000"
              value={form.openPorts}
              onChange={e => update({ openPorts: e.target.value })}
              {...field('openPorts')}
            />
          </Grid>
          <Grid item xs={12} md={6}>
            <TextField
              fullWidth
              type="number"
              id="tracing-duration"
              label="Duration in days"
              value={form.durationDays}
              onChange={e => update({ durationDays: e.target.value })}
              {...field('expiresAt')}
              helperText={errors.expiresAt ?? `At most ${maxDays} days`}
              inputProps={{ min: 1, max: maxDays }}
            />
          </Grid>
          <Grid item xs={12}>
            <TextField
              fullWidth
              multiline
              minRows={3}
              id="tracing-reason"
              label="Reason"
              value={form.reason}
              onChange={e => update({ reason: e.target.value })}
              {...field('reason')}
            />
          </Grid>
        </Grid>
        {holder && (
          <LiveRequestNotice
            existing={holder}
            replacing={form.supersedes === holder.id}
            durationDays={form.durationDays}
            busy={busy}
            onExtend={() =>
              run(
                async () =>
                  setCreated(
                    await tracingApi.extendRequest(holder.id, {
                      expiresAt: toInput(form).expiresAt,
                      ...(form.reason.trim() ? { reason: form.reason } : {}),
                    }),
                  ),
                { only: ['expiresAt'] },
              )
            }
            onReplace={replace =>
              update({ supersedes: replace ? holder.id : undefined })
            }
          />
        )}
        {serverError && (
          <Box my={2}>
            <Typography color="error" role="alert">
              The request was not filed: {serverError}
            </Typography>
          </Box>
        )}
        <Box mt={2} display="flex" gridGap={8}>
          <Button
            variant="outlined"
            disabled={busy}
            onClick={() =>
              run(async () =>
                setPreview(await tracingApi.previewRequest(toInput(form))),
              )
            }
          >
            Preview
          </Button>
          <Button
            variant="contained"
            color="primary"
            disabled={busy || !preview}
            onClick={() =>
              run(async () =>
                setCreated(await tracingApi.createRequest(toInput(form))),
              )
            }
          >
            Submit request
          </Button>
        </Box>
      </InfoCard>
      {preview && <PreviewCard preview={preview} />}
    </Content>
  );
};

/**
 * Asks for tracing of one workload of a service the user owns: validates as
 * the backend does, previews what approval would apply, then files it.
 *
 * @public
 */
export const RequestForm = (props: { entityRef?: string }) => {
  const limit = useMaxDurationMs();
  if (limit.loading) return <Progress />;
  if (limit.maxDurationMs === undefined) {
    return (
      <ErrorPanel
        title="Could not reach the tracing backend"
        error={limit.error ?? new Error('GET /capabilities gave no limit')}
      />
    );
  }
  return (
    <RequestFormWithLimit
      entityRef={props.entityRef}
      maxDurationMs={limit.maxDurationMs}
    />
  );
};
