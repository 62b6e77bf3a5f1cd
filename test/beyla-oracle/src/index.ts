export * from './pods';
export * from './fixtures';
