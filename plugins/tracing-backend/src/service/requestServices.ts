import {
  AuditorService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import {
  TracingRequestFilter,
  TracingRequestStore,
} from '../database/TracingRequestStore';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import { RequestNotifier } from '../notifications/RequestNotifier';
import { TargetService } from '../targets/TargetService';
import { CatalogEntities } from './CatalogEntities';
import { TracingConfig } from './config';
import { ExpiryJobs } from './ExpiryJobs';
import { RequestAuthorizer } from './RequestAuthorizer';
import { RequestReads } from './RequestReads';
import { TargetAdmission } from './TargetAdmission';
import { TracingRequestService } from './TracingRequestService';

/**
 * The request services, each with its one job, wired to each other: what
 * the plugin, its tests and the API benchmark build alike.
 *
 * @internal
 */
export function createRequestServices(options: {
  store: TracingRequestStore;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  config: TracingConfig;
  ruleset: PermissionRuleset<TracingRequest, TracingRequestFilter>;
  transitions: RequestTransitions;
  targets: TargetService;
  notifier?: RequestNotifier;
  /** Whether Backstage's permission framework is on (`permission.enabled`). */
  permissionsEnabled?: boolean;
  userInfo?: UserInfoService;
  now?: () => Date;
}) {
  const { store, config, now } = options;
  const authorizer = new RequestAuthorizer({
    permissions: options.permissions,
    ruleset: options.ruleset,
    adminGroup: config.adminGroup,
    permissionsEnabled: options.permissionsEnabled,
    userInfo: options.userInfo,
  });
  const entities = new CatalogEntities(options.catalog);
  const admission = new TargetAdmission({
    store,
    targets: options.targets,
    entities,
    authorizer,
    now,
  });
  const reads = new RequestReads({ store, authorizer });
  const service = new TracingRequestService({
    store,
    auditor: options.auditor,
    logger: options.logger,
    config,
    transitions: options.transitions,
    authorizer,
    entities,
    admission,
    reads,
    notifier: options.notifier,
    now,
  });
  const expiry = new ExpiryJobs({
    store,
    transitions: options.transitions,
    notifier: options.notifier,
    now,
  });
  return { authorizer, entities, admission, reads, service, expiry };
}
