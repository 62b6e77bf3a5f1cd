import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { stopChild } from './controlPlane';

const execFileAsync = promisify(execFile);
// A test-only package that runs from source, so __dirname is its src folder.
// eslint-disable-next-line no-restricted-syntax
const buildScript = path.resolve(__dirname, '..', '..', 'jaeger', 'build.sh');

/** A running Jaeger v2 on loopback: the local trace store. */
export type LocalTraceStore = {
  /** OTLP/HTTP receiver, e.g. `http://127.0.0.1:4318` (POST `/v1/traces`). */
  otlpHttpUrl: string;
  /** OTLP/gRPC receiver as `host:port`, for exporters that speak gRPC. */
  otlpGrpcEndpoint: string;
  /** Jaeger's query API and UI, e.g. `http://127.0.0.1:16686`. */
  queryUrl: string;
  stop(): Promise<void>;
};

/** Builds Jaeger when missing (cached per version) and returns its path. */
export async function buildJaeger(): Promise<string> {
  const { stdout } = await execFileAsync('bash', [buildScript], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  return stdout.trim().split('\n').pop()!;
}

/** A loopback port that was free a moment ago (nothing listens on it now). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}

/**
 * `count` distinct loopback ports that were free a moment ago: all are held
 * open together, so none is handed out twice.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = net.createServer();
      await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
      return server;
    }),
  );
  const ports = servers.map(s => (s.address() as net.AddressInfo).port);
  await Promise.all(
    servers.map(s => new Promise<void>(r => s.close(() => r()))),
  );
  return ports;
}

/**
 * Jaeger's configuration: in-memory storage, every endpoint on loopback
 * (its query ports bind to all interfaces by default), no self-tracing (it
 * would send its own spans to localhost:4317) and no batch processor (spans
 * are queryable within milliseconds instead of after the batch timeout).
 */
export function jaegerConfig(ports: {
  otlpGrpc: number;
  otlpHttp: number;
  queryHttp: number;
  queryGrpc: number;
}): string {
  const loopback = (port: number) => `127.0.0.1:${port}`;
  return stringify({
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: {
        traces: { receivers: ['otlp'], exporters: ['jaeger_storage_exporter'] },
      },
      telemetry: { logs: { level: 'warn' }, metrics: { level: 'none' } },
    },
    extensions: {
      jaeger_storage: {
        backends: { memstore: { memory: { max_traces: 100000 } } },
      },
      jaeger_query: {
        storage: { traces: 'memstore' },
        enable_tracing: false,
        http: { endpoint: loopback(ports.queryHttp) },
        grpc: { endpoint: loopback(ports.queryGrpc) },
      },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: loopback(ports.otlpGrpc) },
          http: { endpoint: loopback(ports.otlpHttp) },
        },
      },
    },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  });
}

type JaegerPortOptions = { queryPort?: number; otlpHttpPort?: number };

/**
 * Starts Jaeger v2 on free loopback ports and resolves once its query API
 * answers. It is stopped when this Node process exits. A port that was free
 * when chosen can be taken by another process before Jaeger binds it (tests
 * run in parallel): then it starts again on newly chosen ports, up to 3 times.
 */
export async function startJaeger(
  options: JaegerPortOptions = {},
): Promise<LocalTraceStore> {
  const binary = await buildJaeger();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startJaegerOnce(binary, options);
    } catch (error) {
      const portTaken = /address already in use/.test(String(error));
      if (!portTaken || attempt === 3) throw error;
    }
  }
}

async function startJaegerOnce(
  binary: string,
  options: JaegerPortOptions,
): Promise<LocalTraceStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracegate-jaeger-'));
  const [otlpGrpc, otlpHttp, queryHttp, queryGrpc] = await freePorts(4);
  const ports = {
    otlpGrpc,
    otlpHttp: options.otlpHttpPort ?? otlpHttp,
    queryHttp: options.queryPort ?? queryHttp,
    queryGrpc,
  };
  const configFile = path.join(dir, 'jaeger.yaml');
  fs.writeFileSync(configFile, jaegerConfig(ports));
  const child: ChildProcess = spawn(binary, ['--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderrTail = '';
  child.stderr?.on('data', chunk => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  const queryUrl = `http://127.0.0.1:${ports.queryHttp}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`jaeger exited with ${child.exitCode}:\n${stderrTail}`);
    }
    const ready = await fetch(`${queryUrl}/api/v3/services`)
      .then(res => res.ok)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jaeger not ready after 30 s:\n${stderrTail}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
  return {
    otlpHttpUrl: `http://127.0.0.1:${ports.otlpHttp}`,
    otlpGrpcEndpoint: `127.0.0.1:${ports.otlpGrpc}`,
    queryUrl,
    stop,
  };
}

/** One span of {@link sendSpans}. */
export type TestSpan = {
  name: string;
  durationMs: number;
  error?: boolean;
  /** Default: now minus the duration. */
  start?: Date;
};

/**
 * Sends one trace per span over OTLP/HTTP (JSON), as a service with the
 * given resource attributes (`service.name`, `k8s.namespace.name`, ...).
 * Resolves to the trace ids.
 */
export async function sendSpans(
  otlpHttpUrl: string,
  resource: Record<string, string>,
  spans: TestSpan[],
  options: { scope?: string } = {},
): Promise<string[]> {
  const hex = (bytes: number) =>
    [...crypto.getRandomValues(new Uint8Array(bytes))]
      .map(b => b.toString(16).padStart(2, '0'))
      .join('');
  const traceIds = spans.map(() => hex(16));
  const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
  const body = {
    resourceSpans: [
      {
        resource: {
          attributes: Object.entries(resource).map(([key, value]) => ({
            key,
            value: { stringValue: value },
          })),
        },
        scopeSpans: [
          {
            scope: { name: options.scope ?? 'tracegate-test' },
            spans: spans.map((span, i) => {
              const start =
                span.start?.getTime() ?? Date.now() - span.durationMs;
              return {
                traceId: traceIds[i],
                spanId: hex(8),
                name: span.name,
                kind: 2, // SPAN_KIND_SERVER
                startTimeUnixNano: nanos(start),
                endTimeUnixNano: nanos(start + span.durationMs),
                status: span.error ? { code: 2, message: 'error' } : {},
              };
            }),
          },
        ],
      },
    ],
  };
  const res = await fetch(`${otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`OTLP export: ${res.status} ${await res.text()}`);
  }
  return traceIds;
}
