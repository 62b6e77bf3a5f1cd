/**
 * The `Authorization` header for a delivery repository: the cluster's own
 * `delivery.git.username`/`token`, else the Backstage integration whose host
 * serves the URL (`integrations.github`, `gitlab`, `gitea`,
 * `bitbucketServer`), as the scaffolder's publish actions use them.
 */
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { GitDeliverySettings } from '../clusters/config';

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** A function giving the header for the delivery's repository, if any. */
export function gitAuthorization(
  settings: GitDeliverySettings,
  integrations: ScmIntegrationRegistry,
): () => Promise<string | undefined> {
  if (settings.credentials) {
    const { username, token } = settings.credentials;
    return async () => basic(username, token);
  }
  const github = integrations.github.byUrl(settings.url);
  if (github) {
    const provider =
      DefaultGithubCredentialsProvider.fromIntegrations(integrations);
    return async () => {
      // A GitHub App's token lasts an hour: asked for at every use (cached
      // by the provider).
      const { token } = await provider.getCredentials({ url: settings.url });
      return token ? basic('x-access-token', token) : undefined;
    };
  }
  const gitlab = integrations.gitlab.byUrl(settings.url);
  if (gitlab) {
    const token = gitlab.config.token;
    return async () => (token ? basic('oauth2', token) : undefined);
  }
  const gitea = integrations.gitea.byUrl(settings.url);
  if (gitea) {
    const { username, password } = gitea.config;
    return async () =>
      username && password ? basic(username, password) : undefined;
  }
  const bitbucket = integrations.bitbucketServer.byUrl(settings.url);
  if (bitbucket) {
    const { token, username, password } = bitbucket.config;
    return async () => {
      if (token) return `Bearer ${token}`;
      return username && password ? basic(username, password) : undefined;
    };
  }
  return async () => undefined;
}
