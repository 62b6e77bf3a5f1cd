import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';

/** "Showing N" and a button for the next page, under a request list. */
export const LoadMore = (props: {
  shown: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
}) => (
  <Box display="flex" alignItems="center" gridGap={16} mt={1}>
    <Typography variant="body2">
      Showing {props.shown}
      {props.hasMore ? '; more on the server' : ''}
    </Typography>
    {props.hasMore && (
      <Button
        variant="outlined"
        disabled={props.loading}
        onClick={props.onLoadMore}
      >
        Load more
      </Button>
    )}
  </Box>
);
