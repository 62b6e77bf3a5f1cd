/*
 * `node --require @backstage/cli/config/nodeTransform.cjs src/cli.ts start --dir D`
 *
 * Starts the local control plane for the demo (the start command runs this),
 * seeds it, mints a token for Tracegate's least-privilege ServiceAccount and
 * writes D/cluster.json for the backend. Also starts the local trace store
 * (Jaeger, in memory) and the demo's stand-in for Beyla that sends spans for
 * the workloads in Beyla's config (D/traces.json has their URLs), and for
 * git delivery a git server on loopback (D/git holds its repositories,
 * D/git.json its URL and credentials) with a stand-in for a GitOps tool that
 * applies the folder `clusters/local/tracegate` of `platform-config.git`.
 * Runs until SIGINT/SIGTERM. etcd keeps its data in D/etcd, so the cluster's
 * objects survive a restart; traces do not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTracegateServiceAccount } from './access';
import { startControlPlane } from './controlPlane';
import { randomBytes } from 'node:crypto';
import { startDemoTraffic } from './demoTraffic';
import { startGitOpsStandIn } from './gitopsStandIn';
import { startGitServer } from './gitServer';
import { startJaeger } from './jaeger';
import { BEYLA_START_DELAY_STAGE, CRASHLOOP_STAGE } from './nodes';
import { seedPlatform } from './seed';

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const dirFlag = rest.indexOf('--dir');
  if (command !== 'start' || dirFlag < 0 || !rest[dirFlag + 1]) {
    process.stderr.write('usage: cli.ts start --dir DIR\n');
    process.exit(2);
  }
  const dir = path.resolve(rest[dirFlag + 1]);
  fs.mkdirSync(dir, { recursive: true });

  // Three fake nodes (KWOK), so Beyla's DaemonSet rolls out as on a real
  // cluster, its pods taking a few seconds to start.
  const cluster = await startControlPlane({
    dir,
    nodes: 3,
    kwokStages: `${BEYLA_START_DELAY_STAGE}\n---\n${CRASHLOOP_STAGE}`,
  });
  await seedPlatform(cluster);
  const token = await createTracegateServiceAccount(cluster);
  const tokenFile = path.join(dir, 'tracegate.token');
  fs.writeFileSync(tokenFile, token, { mode: 0o600 });
  fs.writeFileSync(
    path.join(dir, 'cluster.json'),
    JSON.stringify(
      { url: cluster.url, caFile: cluster.caFile, tokenFile },
      null,
      2,
    ),
  );
  const traceStore = await startJaeger();
  const demoTraffic = startDemoTraffic({
    cluster,
    otlpHttpUrl: traceStore.otlpHttpUrl,
  });
  // Git delivery (app-config.gitops.example.yaml): a repository the
  // GitOps stand-in watches.
  const gitRoot = path.join(dir, 'git');
  const gitUser = {
    username: 'tracegate',
    password: randomBytes(12).toString('hex'),
  };
  const gitServer = await startGitServer({ ...gitUser, root: gitRoot });
  const repository = `${gitServer.url}/platform-config.git`;
  if (!fs.existsSync(path.join(gitRoot, 'platform-config.git'))) {
    await gitServer.createRepository('platform-config');
  }
  const gitops = await startGitOpsStandIn({
    repository,
    branch: 'main',
    folder: 'clusters/local/tracegate',
    credentials: gitUser,
    kubeconfigFile: cluster.kubeconfigFile,
    log: line => process.stdout.write(`${line}\n`),
  });
  fs.writeFileSync(
    path.join(dir, 'git.json'),
    JSON.stringify({ url: repository, ...gitUser }, null, 2),
    { mode: 0o600 },
  );
  fs.writeFileSync(
    path.join(dir, 'traces.json'),
    JSON.stringify(
      {
        queryUrl: traceStore.queryUrl,
        otlpHttpUrl: traceStore.otlpHttpUrl,
      },
      null,
      2,
    ),
  );
  process.stdout.write(
    `local cluster ${cluster.version} at ${cluster.url}\n` +
      `  kubectl --kubeconfig ${cluster.kubeconfigFile} get ns\n` +
      `local trace store (Jaeger) at ${traceStore.queryUrl}; demo traffic stands in for Beyla\n` +
      `local git server: ${repository} (a GitOps stand-in applies clusters/local/tracegate)\n`,
  );

  const stop = async () => {
    demoTraffic.stop();
    await gitops.stop();
    await gitServer.close();
    await traceStore.stop();
    await cluster.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
