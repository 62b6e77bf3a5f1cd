import { createRouteRef } from '@backstage/frontend-plugin-api';

/** @internal */
export const rootRouteRef = createRouteRef();
