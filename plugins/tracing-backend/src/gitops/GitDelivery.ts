/**
 * A cluster's git delivery: its repository, and the last publish, so that
 * the quick passes that follow a rollout do not fetch again for files that
 * did not change (the periodic pass, later, does).
 */
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createHash } from 'node:crypto';
import { GitDeliverySettings } from '../clusters/config';
import { gitAuthorization } from './credentials';
import { GitRepository, PublishResult } from './GitRepository';

/** How long a publish of the same files is taken as still true. */
const RECHECK_MS = 15_000;

export class GitDelivery {
  private readonly repository: GitRepository;
  private last?: { digest: string; result: PublishResult; at: number };

  constructor(
    readonly cluster: string,
    readonly settings: GitDeliverySettings,
    integrations: ScmIntegrationRegistry,
    private readonly recheckMs = RECHECK_MS,
  ) {
    this.repository = new GitRepository({
      cluster,
      settings,
      authorization: gitAuthorization(settings, integrations),
    });
  }

  /** Publishes the files (see GitRepository.publish), or reuses a fresh publish of the same. */
  async publish(
    files: Map<string, string>,
    message: (before: Map<string, string>) => string,
  ): Promise<PublishResult> {
    const digest = createHash('sha256')
      .update(JSON.stringify([...files].sort()))
      .digest('hex');
    const last = this.last;
    if (last?.digest === digest && Date.now() - last.at < this.recheckMs) {
      return { ...last.result, committed: false, before: files, retries: 0 };
    }
    this.last = undefined;
    const result = await this.repository.publish(files, message);
    this.last = { digest, result, at: Date.now() };
    return result;
  }

  async close() {
    await this.repository.close();
  }
}
