import { useApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import {
  createExtendInputSchema,
  DAY_MS,
  fieldErrors,
  maxDurationDays,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { useState } from 'react';
import { tracingApiRef } from '../../api';

/**
 * Extend a live request: files a replacement with a later expiry, which an
 * admin approves like a new request; the request stays as it is until then.
 */
export const ExtendDialog = (props: {
  request: TracingRequest;
  maxDurationMs: number;
  onClose: () => void;
  onDone: (extension: TracingRequest) => void;
}) => {
  const { request, maxDurationMs, onClose, onDone } = props;
  const tracingApi = useApi(tracingApiRef);
  const maxDays = maxDurationDays(maxDurationMs);
  const [days, setDays] = useState(String(Math.min(7, maxDays)));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const input = {
      expiresAt: new Date(Date.now() + Number(days) * DAY_MS).toISOString(),
    };
    const parsed = createExtendInputSchema({ maxDurationMs }).safeParse(
      Number(days) > 0 ? input : { expiresAt: '' },
    );
    if (!parsed.success) {
      setError(
        Number(days) > 0
          ? fieldErrors(parsed.error)[0].message
          : 'must be a number of days greater than 0',
      );
      return;
    }
    setBusy(true);
    try {
      onDone(await tracingApi.extendRequest(request.id, input));
    } catch (e) {
      setError(e instanceof ResponseError ? e.body.error.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby="extend-title" fullWidth>
      <DialogTitle id="extend-title">Extend this request</DialogTitle>
      <DialogContent>
        <DialogContentText>
          It now expires {new Date(request.expiresAt).toLocaleString()}. The
          extension is a new request with the same settings; a platform admin
          approves it as any request, and approving it replaces this one.
        </DialogContentText>
        <TextField
          id="extend-days"
          type="number"
          label="Days from now"
          value={days}
          onChange={e => {
            setDays(e.target.value);
            setError(undefined);
          }}
          error={Boolean(error)}
          helperText={error ?? `At most ${maxDays} days`}
          inputProps={{ min: 1, max: maxDays }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={submit}
        >
          Extend
        </Button>
      </DialogActions>
    </Dialog>
  );
};
