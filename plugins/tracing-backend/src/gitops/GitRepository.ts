/**
 * One cluster's folder in a git repository, written with the git CLI: fetch
 * the branch, write Tracegate's files on top of it, commit when they changed,
 * push; a push refused because the branch moved is fetched and written again
 * on top, a few times. Credentials travel as an HTTP header in git's
 * environment, never in the URL, the repository's config or a message.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitDeliverySettings } from '../clusters/config';
import { isTracegateFile } from './manifestFiles';

/** What a publish did. */
export type PublishResult = {
  /** The commit the branch holds Tracegate's files at (its head). */
  sha: string;
  /** Whether this publish made that commit. */
  committed: boolean;
  /** Tracegate's files in the folder before the change. */
  before: Map<string, string>;
  /** Pushes the moved branch refused before this one went through. */
  retries: number;
};

/** The branch moved on every try. */
const MAX_PUSHES = 4;

/** A git command failed; the message names the step and git's own words. */
export class GitError extends Error {}

export class GitRepository {
  private dir?: string;

  constructor(
    private readonly options: {
      cluster: string;
      settings: GitDeliverySettings;
      /** The `Authorization` header's value, if the repository needs one. */
      authorization: () => Promise<string | undefined>;
      timeoutMs?: number;
    },
  ) {}

  /**
   * Makes the folder hold exactly `files` among Tracegate's files (others'
   * files stay), committing with `message(before)` and pushing.
   */
  async publish(
    files: Map<string, string>,
    message: (before: Map<string, string>) => string,
  ): Promise<PublishResult> {
    const { settings } = this.options;
    const env = await this.env();
    const dir = await this.workspace(env);
    for (let attempt = 0; attempt < MAX_PUSHES; attempt++) {
      await this.git(env, dir, 'fetch', [
        'fetch',
        '--quiet',
        '--depth=1',
        'origin',
        `+refs/heads/${settings.branch}:refs/remotes/origin/${settings.branch}`,
      ]);
      await this.git(env, dir, 'checkout', [
        'checkout',
        '--quiet',
        '--force',
        '-B',
        'tracegate',
        `refs/remotes/origin/${settings.branch}`,
      ]);
      await this.git(env, dir, 'clean', ['clean', '-fdqx']);
      const before = await this.writeFolder(dir, files);
      await this.git(env, dir, 'add', ['add', '--all', '--', settings.folder]);
      const staged = await this.git(env, dir, 'diff', [
        'diff',
        '--cached',
        '--name-only',
      ]);
      if (!staged.trim()) {
        return {
          sha: (
            await this.git(env, dir, 'rev-parse', ['rev-parse', 'HEAD'])
          ).trim(),
          committed: false,
          before,
          retries: attempt,
        };
      }
      const messageFile = path.join(dir, '.git', 'TRACEGATE_MESSAGE');
      await fs.writeFile(messageFile, message(before));
      await this.git(env, dir, 'commit', [
        '-c',
        `user.name=${settings.author.name}`,
        '-c',
        `user.email=${settings.author.email}`,
        'commit',
        '--quiet',
        '--no-verify',
        '-F',
        messageFile,
      ]);
      const sha = (
        await this.git(env, dir, 'rev-parse', ['rev-parse', 'HEAD'])
      ).trim();
      try {
        await this.git(env, dir, 'push', [
          'push',
          '--quiet',
          '--porcelain',
          'origin',
          `HEAD:refs/heads/${settings.branch}`,
        ]);
        return { sha, committed: true, before, retries: attempt };
      } catch (error) {
        if (!(error instanceof GitError) || !isMovedBranch(error.message)) {
          throw error;
        }
      }
    }
    throw new GitError(
      `git push to ${settings.url} (${settings.branch}) was refused ${MAX_PUSHES} times: the branch kept moving`,
    );
  }

  /** Removes the local clone. */
  async close() {
    if (this.dir) await fs.rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** Replaces Tracegate's files in the folder; returns those it found. */
  private async writeFolder(
    dir: string,
    files: Map<string, string>,
  ): Promise<Map<string, string>> {
    const folder = path.join(dir, this.options.settings.folder);
    await fs.mkdir(folder, { recursive: true });
    const before = new Map<string, string>();
    for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
      const content = await fs.readFile(path.join(folder, entry.name), 'utf8');
      if (!isTracegateFile(this.options.cluster, content)) continue;
      before.set(entry.name, content);
      if (!files.has(entry.name)) await fs.rm(path.join(folder, entry.name));
    }
    for (const [name, content] of files) {
      // A file of the same name that is not Tracegate's is replaced: the
      // names are Tracegate's (kind-namespace-name.yaml) in its own folder.
      await fs.writeFile(path.join(folder, name), content);
    }
    return before;
  }

  /** The clone, made on first use: an empty repository with `origin`. */
  private async workspace(env: NodeJS.ProcessEnv): Promise<string> {
    if (this.dir) return this.dir;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tracegate-git-'));
    try {
      await this.git(env, dir, 'init', ['init', '--quiet']);
      await this.git(env, dir, 'remote add', [
        'remote',
        'add',
        'origin',
        this.options.settings.url,
      ]);
    } catch (error) {
      await fs.rm(dir, { recursive: true, force: true });
      throw error;
    }
    this.dir = dir;
    return dir;
  }

  /** git's environment: no prompts, no user or system config, the header. */
  private async env(): Promise<NodeJS.ProcessEnv> {
    const authorization = await this.options.authorization();
    return {
      PATH: process.env.PATH,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: os.devNull,
      LANG: 'C',
      LC_ALL: 'C',
      ...(authorization
        ? {
            GIT_CONFIG_COUNT: '1',
            GIT_CONFIG_KEY_0: 'http.extraHeader',
            GIT_CONFIG_VALUE_0: `Authorization: ${authorization}`,
          }
        : {}),
    };
  }

  private git(
    env: NodeJS.ProcessEnv,
    cwd: string,
    step: string,
    args: string[],
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        args,
        {
          cwd,
          env,
          timeout: this.options.timeoutMs ?? 60_000,
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          if (!error) {
            resolve(stdout);
            return;
          }
          reject(
            new GitError(
              `git ${step} (${this.options.settings.url}, branch ${
                this.options.settings.branch
              }) failed: ${gitSays(stderr, stdout) || error.message}`,
            ),
          );
        },
      );
    });
  }
}

/**
 * git's own reason, in a line: its fatal/error/rejected lines. A refused
 * credential shows in git as a prompt it may not open: said plainly.
 */
function gitSays(stderr: string, stdout: string): string {
  if (/could not read Username|Authentication failed/.test(stderr)) {
    return 'the repository refused the credentials (HTTP 401): check delivery.git.username/token, or the integration for its host';
  }
  const lines = `${stderr}\n${stdout}`
    .split('\n')
    .map(l => l.trim())
    .filter(
      l =>
        /^(fatal|error|remote|!)/.test(l) ||
        /\[rejected\]|\[remote rejected\]/.test(l),
    );
  return lines.join('; ').slice(0, 500);
}

/** Whether a push was refused because the branch moved since the fetch. */
function isMovedBranch(message: string): boolean {
  return /non-fast-forward|fetch first|\[rejected\]|cannot lock ref|stale info/.test(
    message,
  );
}
