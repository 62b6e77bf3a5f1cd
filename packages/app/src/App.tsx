import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import tracingPlugin from '@tracegate/plugin-tracing/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { signInModule } from './modules/signIn';

export default createApp({
  features: [catalogPlugin, tracingPlugin, navModule, homeModule, signInModule],
});
