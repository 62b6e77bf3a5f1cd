import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  createRouteRef as createLegacyRouteRef,
  createSubRouteRef as createLegacySubRouteRef,
} from '@backstage/core-plugin-api';

// One set of refs for both frontend systems: converting a legacy ref makes
// the same object a ref of the new system too, so the legacy plugin mounts
// what the components resolve with the new system's useRouteRef.

/** @internal */
export const legacyRootRouteRef = createLegacyRouteRef({ id: 'tracing' });

/** The Tracing page (`/tracing` by default). @internal */
export const rootRouteRef = convertLegacyRouteRef(legacyRootRouteRef);

/** The request form, below the page: `?entityRef=` preselects a service. @internal */
export const newRequestRouteRef = convertLegacyRouteRef(
  createLegacySubRouteRef({
    id: 'tracing/new',
    parent: legacyRootRouteRef,
    path: '/new',
  }),
);

/** The approval queue, below the page. @internal */
export const approvalQueueRouteRef = convertLegacyRouteRef(
  createLegacySubRouteRef({
    id: 'tracing/admin',
    parent: legacyRootRouteRef,
    path: '/admin',
  }),
);
