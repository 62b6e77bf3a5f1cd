import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import {
  TracingRequest,
  VALIDATION_MESSAGES,
} from '@tracegate/plugin-tracing-common';
import { useState } from 'react';
import { tracingApiRef } from '../../api';

/** A decision about to be taken on one or more requests. */
export type Decision = {
  kind: 'approve' | 'reject';
  requests: TracingRequest[];
};

/** Approve or reject one or more requests, with a comment. */
export const DecisionDialog = (props: {
  decision: Decision;
  onClose: () => void;
  onDone: (error?: Error) => void;
}) => {
  const { decision, onClose, onDone } = props;
  const tracingApi = useApi(tracingApiRef);
  const [comment, setComment] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const commentMissing = decision.kind === 'reject' && !comment.trim();
  const count = decision.requests.length;
  const title = `${decision.kind === 'approve' ? 'Approve' : 'Reject'} ${
    count === 1 ? 'this request' : `${count} requests`
  }`;

  const submit = async () => {
    setTouched(true);
    if (commentMissing) return;
    setBusy(true);
    const failures: string[] = [];
    for (const request of decision.requests) {
      try {
        await tracingApi.decide(
          request.id,
          decision.kind,
          comment.trim() ? { comment: comment.trim() } : {},
        );
      } catch (error) {
        failures.push(`${request.entityRef}: ${(error as Error).message}`);
      }
    }
    setBusy(false);
    onDone(failures.length ? new Error(failures.join('; ')) : undefined);
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby="decision-title" fullWidth>
      <DialogTitle id="decision-title">{title}</DialogTitle>
      <DialogContent>
        <TextField
          id="decision-comment"
          fullWidth
          multiline
          minRows={2}
          label={
            decision.kind === 'reject'
              ? 'Comment (required)'
              : 'Comment (optional)'
          }
          value={comment}
          onChange={e => setComment(e.target.value)}
          error={touched && commentMissing}
          helperText={
            touched && commentMissing
              ? `Comment ${VALIDATION_MESSAGES.rejectComment}`
              : undefined
          }
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
          {decision.kind === 'approve' ? 'Approve' : 'Reject'}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
