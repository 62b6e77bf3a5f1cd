import Tooltip from '@material-ui/core/Tooltip';
import { relativeTime } from '@tracegate/plugin-tracing-common';
import { ReactNode } from 'react';

/** A time as "in 3 d" or "5 min ago", the exact local time on hover. */
export const RelativeTime = ({ iso }: { iso: string }) => (
  <Tooltip title={new Date(iso).toLocaleString()}>
    <span style={{ whiteSpace: 'nowrap' }}>{relativeTime(iso)}</span>
  </Tooltip>
);

/**
 * One line that never breaks inside a word: cut with an ellipsis at
 * `maxWidth`, the full text on hover.
 */
export const OneLine = (props: {
  text: string;
  maxWidth?: number;
  children?: ReactNode;
}) => (
  <Tooltip title={props.text}>
    <span
      style={{
        display: 'inline-block',
        maxWidth: props.maxWidth ?? 240,
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        whiteSpace: 'nowrap',
        verticalAlign: 'bottom',
      }}
    >
      {props.children ?? props.text}
    </span>
  </Tooltip>
);
