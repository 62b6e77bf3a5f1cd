export { RecentTraces, TraceArrivalLine } from './RecentTraces';
