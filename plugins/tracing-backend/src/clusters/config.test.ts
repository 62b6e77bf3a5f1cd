import { ConfigReader } from '@backstage/config';
import { readClusterSettings } from './config';

const read = (cluster: Record<string, unknown>) =>
  readClusterSettings(
    new ConfigReader({
      tracing: {
        clusters: [
          {
            name: 'prod-eu',
            url: 'https://k8s.example.com',
            serviceAccountToken: 't',
            ...cluster,
          },
        ],
      },
    }),
  )[0];

describe('readClusterSettings', () => {
  it('reads the trace store, or takes Tempo at tempo.queryUrl, or none', () => {
    expect(
      read({
        traces: {
          type: 'jaeger',
          url: 'http://jaeger-query.tracing.svc:16686/',
          uiUrl: 'https://jaeger.example.com',
          headers: { Authorization: 'Bearer x' },
        },
      }).traces,
    ).toEqual({
      type: 'jaeger',
      url: 'http://jaeger-query.tracing.svc:16686',
      uiUrl: 'https://jaeger.example.com',
      headers: { Authorization: 'Bearer x' },
    });
    expect(
      read({
        tempo: {
          queryUrl: 'http://tempo-query-frontend.tempo.svc:3200',
          headers: { 'X-Scope-OrgID': 'platform' },
        },
      }).traces,
    ).toEqual({
      type: 'tempo',
      url: 'http://tempo-query-frontend.tempo.svc:3200',
      headers: { 'X-Scope-OrgID': 'platform' },
    });
    expect(read({}).traces).toBeUndefined();
  });

  it.each([
    [
      { type: 'zipkin', url: 'http://z' },
      'traces.type: must be tempo or jaeger',
    ],
    [
      { type: 'tempo', url: 'tempo:3200' },
      'traces.url: must be an http(s) URL',
    ],
    [
      { type: 'tempo', url: 'http://t', headers: { 'X-A': 'a\nb' } },
      'traces.headers.X-A: not a valid HTTP header',
    ],
  ])('refuses the trace store %j', (traces, message) => {
    expect(() => read({ traces })).toThrow(
      `tracing.clusters[prod-eu].${message}`,
    );
  });

  it('refuses a serviceAccount cluster without url, naming it', () => {
    expect(() => read({ url: undefined })).toThrow(
      'tracing.clusters[prod-eu].url: required with authProvider serviceAccount',
    );
  });

  it.each([
    ['http://tempo:4317', 'must be host:port with no scheme or path'],
    ['https://tempo.example.com:443', 'must be host:port with no scheme'],
    ['tempo:4317/v1/traces', 'must be host:port with no scheme or path'],
    ['tempo', 'must be host:port'],
  ])('refuses the OTLP endpoint %s', (otlpEndpoint, message) => {
    expect(() => read({ tempo: { otlpEndpoint } })).toThrow(
      `tracing.clusters[prod-eu].tempo.otlpEndpoint: ${message}`,
    );
  });

  it.each([
    ['grpc', 'tempo:4318'],
    ['http/protobuf', 'tempo:4317'],
  ])('refuses protocol %s on %s', (protocol, otlpEndpoint) => {
    expect(() => read({ tempo: { otlpEndpoint, protocol } })).toThrow(
      'tracing.clusters[prod-eu].tempo.protocol: ',
    );
  });

  it('takes headers and a CA for a TLS endpoint, and refuses a CA on plain text', () => {
    const pem =
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const tempo = read({
      tempo: {
        otlpEndpoint: 'tempo.example.com:443',
        insecure: false,
        headers: { 'X-Scope-OrgID': 'platform' },
        caData: Buffer.from(pem).toString('base64'),
      },
    }).tempo;
    expect(tempo).toMatchObject({
      headers: { 'X-Scope-OrgID': 'platform' },
      caPem: pem,
    });
    expect(() =>
      read({
        tempo: { caData: Buffer.from(pem).toString('base64') },
      }),
    ).toThrow('tracing.clusters[prod-eu].tempo.caData: a CA needs TLS');
    expect(() =>
      read({ tempo: { headers: { 'X-Scope-OrgID': 'a\nkind: Secret' } } }),
    ).toThrow(
      'tracing.clusters[prod-eu].tempo.headers.X-Scope-OrgID: not a valid HTTP header',
    );
  });

  it('derives the Beyla dialect and sampler placement from the version', () => {
    expect(read({}).beyla).toMatchObject({
      image: 'grafana/beyla:3.33.0',
      version: { major: 3, minor: 33, patch: 0 },
      dialect: 'instrument',
      perEntrySampler: true,
    });
    expect(
      read({ beyla: { image: 'grafana/beyla:2.5.2' } }).beyla,
    ).toMatchObject({
      dialect: 'instrument',
      perEntrySampler: false,
    });
    expect(
      read({ beyla: { image: 'grafana/beyla:2.4.7' } }).beyla,
    ).toMatchObject({
      dialect: 'services',
      perEntrySampler: false,
    });
    expect(
      read({
        beyla: {
          image: 'grafana/beyla@sha256:0123456789abcdef',
          version: '2.8.5',
        },
      }).beyla.version,
    ).toEqual({ major: 2, minor: 8, patch: 5 });
  });

  it.each([
    [
      { image: 'grafana/beyla@sha256:0123456789abcdef' },
      'beyla.version: required when',
    ],
    [{ image: 'grafana/beyla:latest' }, 'beyla.version: required when'],
    [
      { image: 'grafana/beyla:3.33.0', version: '2.5.0' },
      'beyla.version: 2.5.0 contradicts the image tag 3.33.0',
    ],
    [
      { image: 'grafana/beyla:2.4.0', dialect: 'instrument' },
      'beyla.dialect: Beyla 2.4.0 has no discovery.instrument',
    ],
  ])('refuses Beyla settings %j', (beyla, message) => {
    expect(() => read({ beyla })).toThrow(
      `tracing.clusters[prod-eu].${message}`,
    );
  });
});

describe('tracing.clusters[].delivery', () => {
  it('defaults to apply, and reads git with its defaults', () => {
    expect(read({}).delivery).toEqual({ type: 'apply' });
    expect(
      read({
        delivery: {
          type: 'git',
          git: { url: 'https://git.example.com/platform/config.git' },
        },
      }).delivery,
    ).toEqual({
      type: 'git',
      url: 'https://git.example.com/platform/config.git',
      branch: 'main',
      folder: 'tracegate/prod-eu',
      author: { name: 'Tracegate', email: 'tracegate@backstage.invalid' },
    });
    expect(
      read({
        delivery: {
          type: 'git',
          git: {
            url: 'https://git.example.com/platform/config.git',
            branch: 'clusters/prod',
            folder: 'prod-eu/tracing/',
            token: 's3cret',
          },
        },
      }).delivery,
    ).toMatchObject({
      branch: 'clusters/prod',
      folder: 'prod-eu/tracing',
      credentials: { username: 'git', token: 's3cret' },
    });
  });

  it.each([
    [{ type: 'kubectl' }, /delivery.type: must be apply or git/],
    [
      { type: 'git', git: { url: 'git@example.com:a/b.git' } },
      /git.url: not a URL|git.url: must be an http\(s\) URL/,
    ],
    [
      { type: 'git', git: { url: 'ssh://example.com/a.git' } },
      /git.url: must be an http\(s\) URL/,
    ],
    [
      { type: 'git', git: { url: 'https://u:p@example.com/a.git' } },
      /git.url: must not hold credentials/,
    ],
    [
      {
        type: 'git',
        git: { url: 'https://example.com/a.git', branch: 'a..b' },
      },
      /git.branch: not a branch name/,
    ],
    [
      {
        type: 'git',
        git: { url: 'https://example.com/a.git', folder: '../up' },
      },
      /git.folder: must be a relative folder/,
    ],
    [
      {
        type: 'git',
        git: { url: 'https://example.com/a.git', folder: '/etc' },
      },
      /git.folder: must be a relative folder/,
    ],
  ])('refuses %j, naming the key', (delivery, message) => {
    expect(() => read({ delivery })).toThrow(message);
  });

  it('refuses trace store headers with git delivery: they would be committed', () => {
    expect(() =>
      read({
        tempo: { headers: { Authorization: 'Bearer x' } },
        delivery: { type: 'git', git: { url: 'https://example.com/a.git' } },
      }),
    ).toThrow(/tempo.headers: not written to git/);
  });

  it('refuses two clusters writing the same folder of one branch', () => {
    const git = {
      type: 'git',
      git: { url: 'https://example.com/a.git', folder: 'shared' },
    };
    expect(() =>
      readClusterSettings(
        new ConfigReader({
          tracing: {
            clusters: ['a', 'b'].map(name => ({
              name,
              url: 'https://k8s.example.com',
              delivery: git,
            })),
          },
        }),
      ),
    ).toThrow(
      'tracing.clusters[b].delivery.git.folder: cluster a writes the same folder of the same branch (shared); give each cluster its own',
    );
  });
});
