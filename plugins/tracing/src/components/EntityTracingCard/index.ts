export { EntityTracingCard } from './EntityTracingCard';
