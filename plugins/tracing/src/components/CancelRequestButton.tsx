import { ErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import {
  canTransition,
  TracingRequest,
  tracingRequestCancelPermission,
} from '@tracegate/plugin-tracing-common';
import { useState } from 'react';
import { tracingApiRef } from '../api';

/**
 * Cancel a pending request, after a confirmation; shown to whoever the
 * policy lets cancel it (the requester), the backend checks again.
 */
export const CancelRequestButton = (props: {
  request: TracingRequest;
  onDone: () => void;
}) => {
  const { request, onDone } = props;
  const tracingApi = useApi(tracingApiRef);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const { allowed } = usePermission({
    permission: tracingRequestCancelPermission,
    resourceRef: request.id,
  });
  if (!allowed || !canTransition(request.status, 'cancel')) return null;

  const cancel = async () => {
    setBusy(true);
    try {
      await tracingApi.decide(request.id, 'cancel', {
        comment: 'cancelled by the requester',
      });
      setConfirming(false);
      onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const target = `${request.workload.kind} ${request.namespace}/${request.workload.name} on ${request.cluster}`;

  return (
    <>
      <Button
        variant="outlined"
        onClick={event => {
          event.stopPropagation();
          setConfirming(true);
        }}
      >
        Cancel request
      </Button>
      {confirming && (
        <Dialog
          open
          onClose={() => setConfirming(false)}
          aria-labelledby={`cancel-${request.id}`}
          onClick={event => event.stopPropagation()}
        >
          <DialogTitle id={`cancel-${request.id}`}>
            Cancel this request?
          </DialogTitle>
          <DialogContent>
            <DialogContentText>
              Tracing for {target} will not be reviewed; file a new request to
              ask again.
            </DialogContentText>
            {error && (
              <ErrorPanel title="The request was not cancelled" error={error} />
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setConfirming(false)}>Keep it</Button>
            <Button
              color="secondary"
              variant="contained"
              disabled={busy}
              onClick={cancel}
            >
              Cancel request
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
};
