import { createBackend } from '@backstage/backend-defaults';

// A standalone backend for working on the plugin: `yarn start` in this folder.
const backend = createBackend();
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('../src'));
backend.start();
