export * from './pods';
export * from './fixtures';
export * from './workloads';
