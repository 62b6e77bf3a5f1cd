import { ConfigReader } from '@backstage/config';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readClusterSettings } from './config';
import {
  describeKubeError,
  KubeTimeoutError,
  KubeUnreachableError,
} from './errors';
import { KubeApi } from './KubeApi';

/** A self-signed certificate for 127.0.0.1, made with openssl. */
function selfSigned() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeapi-test-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const pair = {
    key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
  };
  fs.rmSync(dir, { recursive: true });
  return pair;
}

const tls = selfSigned();
let server: https.Server;
let port: number;
const seen: Array<{ path: string; socket: net.Socket }> = [];
let hang = false;

beforeAll(async () => {
  server = https.createServer(tls, (req, res) => {
    seen.push({ path: req.url!, socket: req.socket });
    if (hang) return; // never answers
    res.setHeader('Content-Type', 'application/json');
    if (req.url!.endsWith('/configmaps/missing')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ reason: 'NotFound', message: 'not there' }));
      return;
    }
    res.end(JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'x' } }));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(r => server.close(r));
});

function api(url: string, timeoutMs?: number, token: string | null = 't') {
  const [settings] = readClusterSettings(
    new ConfigReader({
      tracing: {
        clusters: [
          {
            name: 'proxied',
            url,
            ...(token === null ? {} : { serviceAccountToken: token }),
            caData: Buffer.from(tls.cert).toString('base64'),
          },
        ],
      },
    }),
  );
  return KubeApi.fromSettings(settings, { timeoutMs });
}

const ref = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'beyla' },
});

describe('KubeApi', () => {
  it('with the token unset (an unset ${VARIABLE} in app-config), calls nothing and names the key', async () => {
    seen.length = 0;
    const client = api(`https://127.0.0.1:${port}`, undefined, null);
    const error = await client.get(ref('a')).catch(e => e);
    expect(describeKubeError(error)).toBe(
      'no credentials: tracing.clusters[proxied].serviceAccountToken is empty or unset (an app-config ${VARIABLE} whose variable is unset gives no value)',
    );
    expect(seen).toEqual([]);
  });

  it("with the token empty, stops at start-up naming the key (Backstage's config reader)", () => {
    expect(() => api(`https://127.0.0.1:${port}`, undefined, '')).toThrow(
      "Invalid type in config for key 'tracing.clusters[0].serviceAccountToken'",
    );
  });

  it('keeps the server URL path (a proxy prefix) and one connection for many calls', async () => {
    seen.length = 0;
    const client = api(`https://127.0.0.1:${port}/k8s/clusters/c-1/`);
    await client.get(ref('a'));
    await client.get(ref('b'));
    expect(await client.get(ref('missing'))).toBeUndefined();
    expect(seen.map(s => s.path)).toEqual([
      '/k8s/clusters/c-1/api/v1/namespaces/beyla/configmaps/a',
      '/k8s/clusters/c-1/api/v1/namespaces/beyla/configmaps/b',
      '/k8s/clusters/c-1/api/v1/namespaces/beyla/configmaps/missing',
    ]);
    expect(new Set(seen.map(s => s.socket)).size).toBe(1);
    client.close();
  });

  it('says unreachable, typed, when nothing listens', async () => {
    const closed = net.createServer();
    await new Promise<void>(r => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise(r => closed.close(r));
    const error = await api(`https://127.0.0.1:${closedPort}`)
      .get(ref('a'))
      .catch(e => e);
    expect(error).toBeInstanceOf(KubeUnreachableError);
    expect(describeKubeError(error)).toMatch(/^unreachable: .*ECONNREFUSED/);
  });

  it('says timed out, typed, when the server does not answer', async () => {
    hang = true;
    try {
      const error = await api(`https://127.0.0.1:${port}`, 200)
        .get(ref('a'))
        .catch(e => e);
      expect(error).toBeInstanceOf(KubeTimeoutError);
      expect(describeKubeError(error)).toBe(
        'unreachable: no answer from cluster proxied within 200 ms',
      );
    } finally {
      hang = false;
    }
  });
});
