import { TraceStoreSettings } from '../clusters/config';
import { JaegerTraceStore } from './jaeger';
import { TempoTraceStore } from './tempo';
import { TraceStore } from './TraceStore';

/** The client for a cluster's `traces` settings. */
export function createTraceStore(settings: TraceStoreSettings): TraceStore {
  return settings.type === 'tempo'
    ? new TempoTraceStore(settings)
    : new JaegerTraceStore(settings);
}
