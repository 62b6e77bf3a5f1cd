import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { TracingApi, tracingApiRef } from '../../api';
import { TracingPage } from './TracingPage';

function renderWith(api: TracingApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[tracingApiRef, api]]}>
      <TracingPage />
    </TestApiProvider>,
  );
}

describe('TracingPage', () => {
  it('shows the backend status', async () => {
    await renderWith({ getHealth: async () => ({ status: 'ok' }) });
    expect(await screen.findByText('Tracing backend: ok')).toBeInTheDocument();
  });

  it('shows an error when the backend refuses', async () => {
    await renderWith({
      getHealth: async () => {
        throw new Error('backend unreachable');
      },
    });
    expect(
      await screen.findByText(/Could not reach the tracing backend/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Tracing backend: ok/)).not.toBeInTheDocument();
  });
});
