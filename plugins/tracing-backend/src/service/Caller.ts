import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import type { Request } from 'express';

/** Who asks, and the HTTP request for the audit log. */
export type Caller = {
  credentials: BackstageCredentials<BackstageUserPrincipal>;
  request?: Request;
};
