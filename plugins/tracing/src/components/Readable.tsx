import Tooltip from '@material-ui/core/Tooltip';
import { DAY_MS } from '@tracegate/plugin-tracing-common';
import { ReactNode } from 'react';

/** "in 3 days", "5 minutes ago", "just now". */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  if (abs < 60_000) return ms >= 0 ? 'in less than a minute' : 'just now';
  let value = Math.round(abs / 60_000);
  let unit = 'minute';
  if (abs >= DAY_MS) {
    value = Math.round(abs / DAY_MS);
    unit = 'day';
  } else if (abs >= 3_600_000) {
    value = Math.round(abs / 3_600_000);
    unit = 'hour';
  }
  const text = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** A time as "in 3 days", the exact local time on hover. */
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
