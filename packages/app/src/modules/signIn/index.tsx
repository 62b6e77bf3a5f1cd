import { ProxiedSignInPage, SignInPage } from '@backstage/core-components';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  SignInPageBlueprint,
  SignInPageProps,
} from '@backstage/plugin-app-react';

const DEV_USER_KEY = 'tracegate-dev-user';
const DEMO_USERS = [
  { name: 'alice', title: 'Alice (team-shop, a requester)' },
  { name: 'bob', title: 'Bob (team-data)' },
  { name: 'ada', title: 'Ada (platform-admins, an approver)' },
];

/**
 * Development sign-in: "Enter" as the guest (team-shop), or as one of the demo
 * users through the backend's dev-users provider (`?as=ada`, kept for the tab).
 */
const DevSignInPage = (props: SignInPageProps) => {
  const asParam = new URLSearchParams(window.location.search).get('as');
  if (asParam) sessionStorage.setItem(DEV_USER_KEY, asParam);
  const devUser = sessionStorage.getItem(DEV_USER_KEY);
  if (devUser) {
    return (
      <ProxiedSignInPage
        {...props}
        provider="dev-users"
        headers={{ 'x-tracegate-dev-user': devUser }}
      />
    );
  }
  return (
    <>
      <SignInPage {...props} providers={['guest']} />
      <nav aria-label="Demo users" style={{ padding: '0 24px 24px' }}>
        Or sign in as a demo user:{' '}
        {DEMO_USERS.map(user => (
          <a
            key={user.name}
            href={`/?as=${user.name}`}
            style={{ marginRight: 16 }}
          >
            {user.title}
          </a>
        ))}
      </nav>
    </>
  );
};

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: { loader: async () => DevSignInPage },
    }),
  ],
});
