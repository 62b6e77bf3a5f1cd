import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { PreviewCard } from './PreviewCard';

describe('PreviewCard', () => {
  it('says when a rule will approve the request at once', async () => {
    await renderInTestApp(
      <PreviewCard
        preview={{ objects: [], diff: '', autoApproval: { rule: 'dev-low' } }}
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'Will be approved automatically by rule dev-low (tracing.autoApprove) when you submit it',
    );
  });

  it('says nothing of rules otherwise', async () => {
    await renderInTestApp(<PreviewCard preview={{ objects: [], diff: '' }} />);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });
});
