import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { TracingPreview } from '@tracegate/plugin-tracing-common';
import { BeylaNamingLine } from '../BeylaNamingLine';

/**
 * What approving would apply: the rendered objects and their diff to live.
 *
 * @public
 */
export const PreviewCard = ({ preview }: { preview: TracingPreview }) => (
  <Box mt={2}>
    <InfoCard title="Preview: what approval applies">
      {preview.autoApproval && (
        <Typography paragraph role="status">
          Will be approved automatically by rule {preview.autoApproval.rule}{' '}
          (tracing.autoApprove) when you submit it: no admin needs to review it.
        </Typography>
      )}
      <BeylaNamingLine naming={preview.targetCheck?.beyla} />
      {preview.notes?.map(note => (
        <Typography key={note} paragraph role="note">
          {note}
        </Typography>
      ))}
      {preview.diff !== undefined && (
        <>
          <Typography variant="h6">Changes to the live cluster</Typography>
          <pre aria-label="diff">
            {preview.diff || 'No change: the cluster already has this.'}
          </pre>
        </>
      )}
      {preview.diffError && (
        <Typography color="textSecondary">
          No diff against the cluster: {preview.diffError}
        </Typography>
      )}
      <Typography variant="h6">Objects</Typography>
      {preview.objects.map(o => (
        <details key={`${o.kind}/${o.namespace}/${o.name}`}>
          <summary>
            {o.kind} {o.namespace ? `${o.namespace}/` : ''}
            {o.name}
          </summary>
          <pre>{o.yaml}</pre>
        </details>
      ))}
    </InfoCard>
  </Box>
);
