import { stringify } from 'yaml';
import { testClusterSettings, tracingRequest } from '../__testUtils__/fixtures';
import { renderCluster } from '.';
import { redactForBrowser } from './redact';

describe('redactForBrowser', () => {
  const secret = 'Bearer s3cret-otlp-token';
  const cluster = testClusterSettings({
    tempo: {
      otlpEndpoint: 'tempo-distributor.tempo.svc:4317',
      headers: { Authorization: secret, 'X-Scope-OrgID': 'platform' },
    },
  });
  const objects = renderCluster(cluster, [
    tracingRequest('a'),
    tracingRequest('b', {
      method: 'prometheus',
      namespace: 'monitoring',
      workload: { kind: 'Prometheus', name: 'k8s' },
    }),
  ]);

  it('hides the trace store headers in Beyla and in the Prometheus CR', () => {
    const rendered = objects.map(o => stringify(o)).join('---\n');
    expect(rendered).toContain(encodeURIComponent(secret));
    expect(rendered).toContain(secret);
    const shown = objects
      .map(o => stringify(redactForBrowser(o)))
      .join('---\n');
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('platform');
    expect(
      shown.match(/<redacted: tracing.clusters\[\].tempo.headers>/g),
    ).toHaveLength(3);
  });

  it('changes nothing else', () => {
    const changed = objects.flatMap(o =>
      differingPaths(o, redactForBrowser(o)).map(path => `${o.kind}:${path}`),
    );
    expect(changed).toEqual([
      'DaemonSet:spec.template.spec.containers.0.env.1.value',
      'Prometheus:spec.tracingConfig.headers.Authorization',
      'Prometheus:spec.tracingConfig.headers.X-Scope-OrgID',
    ]);
  });
});

/** Paths of the leaves where `a` and `b` differ. */
function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap(key =>
      differingPaths(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      ),
    );
  }
  return a === b ? [] : [path];
}
