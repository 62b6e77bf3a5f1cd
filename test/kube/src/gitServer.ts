/**
 * A real git server on loopback: git's own `git http-backend` (the CGI
 * program git ships for smart HTTP) behind a small HTTP server that asks for
 * Basic credentials, so clients fetch and push with the git protocol as to
 * any hosted repository. Repositories are bare, in a folder of its own.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type LocalGitServer = {
  /** e.g. `http://127.0.0.1:41234`; a repository is `${url}/<name>.git`. */
  url: string;
  port: number;
  /** Folder of the bare repositories. */
  root: string;
  /** Creates a bare repository whose `branch` holds one commit (a README). */
  createRepository(name: string, branch?: string): Promise<string>;
  /** Stops listening (clients get "connection refused"); the repositories stay. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  /** Removes the repositories too. */
  stop(): Promise<void>;
  /**
   * Runs `change` once, when the next client starts a push (before the
   * server tells it where the branches are): a push that races another.
   */
  beforeNextPush(change: () => Promise<void>): void;
};

/** Runs git with no user or system config. */
export async function git(
  args: string[],
  cwd?: string,
  env: NodeJS.ProcessEnv = {},
) {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: os.devNull,
      GIT_TERMINAL_PROMPT: '0',
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** The environment that makes git send `username:password` to the server. */
export function gitAuthEnv(username: string, password: string) {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(
      `${username}:${password}`,
    ).toString('base64')}`,
  };
}

export async function startGitServer(options: {
  username: string;
  password: string;
  port?: number;
  root?: string;
}): Promise<LocalGitServer> {
  const root =
    options.root ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'tracegate-git-server-'));
  fs.mkdirSync(root, { recursive: true });
  const expected = `Basic ${Buffer.from(
    `${options.username}:${options.password}`,
  ).toString('base64')}`;

  let beforePush: (() => Promise<void>) | undefined;
  const handle = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end('credentials required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (
      beforePush &&
      url.pathname.endsWith('/info/refs') &&
      url.searchParams.get('service') === 'git-receive-pack'
    ) {
      const change = beforePush;
      beforePush = undefined;
      req.pause();
      await change();
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: os.devNull,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        // An authenticated user may push (http-backend's receive-pack rule).
        REMOTE_USER: options.username,
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length']
          ? { CONTENT_LENGTH: req.headers['content-length'] }
          : {}),
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(req.headers['git-protocol']
          ? { GIT_PROTOCOL: String(req.headers['git-protocol']) }
          : {}),
      },
    });
    req.pipe(cgi.stdin);
    // The CGI answer: headers up to a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head
        .subarray(0, end)
        .toString('latin1')
        .split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on('end', () => {
      if (!headersDone) res.writeHead(502);
      res.end();
    });
    cgi.on('error', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch(error => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  };
  let server = http.createServer(serve);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () =>
        resolve((server.address() as { port: number }).port),
      );
    });
  const port = await listen(options.port ?? 0);
  const close = () =>
    new Promise<void>(resolve => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root,
    async createRepository(name: string, branch = 'main') {
      const bare = path.join(root, `${name}.git`);
      await git([
        'init',
        '--quiet',
        '--bare',
        `--initial-branch=${branch}`,
        bare,
      ]);
      const work = fs.mkdtempSync(
        path.join(os.tmpdir(), 'tracegate-git-seed-'),
      );
      try {
        await git(['init', '--quiet', `--initial-branch=${branch}`], work);
        fs.writeFileSync(
          path.join(work, 'README.md'),
          '# Cluster configuration\n\nApplied by the GitOps tool.\n',
        );
        await git(['add', 'README.md'], work);
        await git(
          [
            '-c',
            'user.name=Platform',
            '-c',
            'user.email=platform@example.invalid',
            'commit',
            '--quiet',
            '-m',
            'Start the cluster configuration',
          ],
          work,
        );
        await git(['push', '--quiet', bare, `HEAD:refs/heads/${branch}`], work);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
      return `http://127.0.0.1:${port}/${name}.git`;
    },
    close,
    beforeNextPush(change) {
      beforePush = change;
    },
    async reopen() {
      server = http.createServer(serve);
      await listen(port);
    },
    async stop() {
      await close().catch(() => undefined);
      if (!options.root) fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
