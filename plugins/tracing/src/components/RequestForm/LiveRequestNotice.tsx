import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { TracingRequest } from '@tracegate/plugin-tracing-common';

/**
 * The target already has a live request: a second one is refused, so offer
 * what people then want, extending it or replacing it with new settings.
 */
export const LiveRequestNotice = (props: {
  existing: TracingRequest;
  replacing: boolean;
  durationDays: string;
  busy: boolean;
  onExtend: () => void;
  onReplace: (replace: boolean) => void;
}) => {
  const { existing, replacing, durationDays, busy, onExtend, onReplace } =
    props;
  return (
    <Box component={Paper} p={2} my={2} role="status">
      <Typography paragraph>
        {existing.workload.kind} {existing.namespace}/{existing.workload.name}{' '}
        already has a live request ({existing.status}, until{' '}
        {new Date(existing.expiresAt).toLocaleString()}; id {existing.id}). A
        second request for it is refused.
      </Typography>
      {replacing ? (
        <Typography paragraph>
          This request replaces it: when an admin approves this one, the
          existing one ends in the same step.
        </Typography>
      ) : null}
      <Box display="flex" gridGap={8}>
        <Button
          variant="contained"
          color="primary"
          disabled={busy}
          onClick={onExtend}
        >
          Extend it to {durationDays || '?'} days from now
        </Button>
        <Button
          variant="outlined"
          disabled={busy}
          onClick={() => onReplace(!replacing)}
        >
          {replacing
            ? 'Do not replace it'
            : 'Replace it with the settings below'}
        </Button>
      </Box>
    </Box>
  );
};
