import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Tracegate: self-service distributed tracing. */
  tracing?: {
    /**
     * The longest a tracing request may run (its `expiresAt` at most this far
     * from when it is filed). Default: 30 days.
     */
    maxDuration?: HumanDuration;

    /**
     * Whether an approver may approve or reject their own request.
     * Default: false.
     */
    allowSelfApproval?: boolean;

    /**
     * How often requests past their `expiresAt` are moved to `expired`.
     * Default: every minute.
     */
    expiryFrequency?: HumanDuration;

    /**
     * The group whose members approve requests, as the default permission
     * policy in packages/backend reads it. Default: group:default/platform-admins.
     */
    adminGroup?: string;

    /** The clusters a request may target. */
    clusters?: Array<{
      /** The name requests use, e.g. `local` or `prod-eu-1`. */
      name: string;
    }>;
  };
}
