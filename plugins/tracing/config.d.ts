import { HumanDuration } from '@backstage/types';

export interface Config {
  tracing?: {
    /**
     * The longest a tracing request may run; the request form offers at most
     * this many days. Default: 30 days. (The backend enforces it too.)
     * @deepVisibility frontend
     */
    maxDuration?: HumanDuration;
  };
}
