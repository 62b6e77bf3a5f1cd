import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  BeylaNaming,
  describeBeylaNaming,
} from '@tracegate/plugin-tracing-common';

/**
 * "Beyla will name it `shop-cart` (label app.kubernetes.io/instance)", read
 * from the target's pod template by Beyla's own precedence, and the
 * Kubernetes attributes its pods set over Beyla's, which keep its spans out
 * of a search by identity.
 *
 * @public
 */
export const BeylaNamingLine = ({ naming }: { naming?: BeylaNaming }) => {
  if (!naming) return null;
  return (
    <Box aria-label="Beyla's name for it">
      <Typography variant="body2">
        {describeBeylaNaming(naming)}
        <Typography component="span" variant="body2" color="textSecondary">
          {' '}
          (from {naming.from}; Beyla's naming rules as its code has them, not a
          running Beyla)
        </Typography>
      </Typography>
      {naming.overrides?.map(override => (
        <Typography key={override} variant="body2" color="error">
          Its pods set {override} themselves: their spans do not carry this
          target's identity, so Tracegate's search does not find them.
        </Typography>
      ))}
    </Box>
  );
};
