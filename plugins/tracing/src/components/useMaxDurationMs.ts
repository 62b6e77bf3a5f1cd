import { readDurationFromConfig } from '@backstage/config';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { durationToMilliseconds } from '@backstage/types';
import { DAY_MS } from '@tracegate/plugin-tracing-common';
import { useMemo } from 'react';

/** `tracing.maxDuration` in milliseconds (default 30 days), as the backend reads it. */
export function useMaxDurationMs(): number {
  const config = useApi(configApiRef);
  return useMemo(() => {
    const tracing = config.getOptionalConfig('tracing');
    return tracing?.has('maxDuration')
      ? durationToMilliseconds(
          readDurationFromConfig(tracing, { key: 'maxDuration' }),
        )
      : 30 * DAY_MS;
  }, [config]);
}
