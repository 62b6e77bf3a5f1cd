/**
 * `yarn tracegate-rbac --config app-config.yaml [--config ...] --cluster NAME`:
 * prints the RBAC file for one configured cluster (the namespaces its
 * settings name), for `kubectl apply -f -`. Reads only the YAML (no
 * environment substitution is needed for namespaces).
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import {
  DEFAULT_BEYLA_NAMESPACE,
  DEFAULT_DATASOURCE_NAMESPACE,
} from '../clusters/config';
import { renderRbac } from './renderRbac';

type ClusterEntry = {
  name?: string;
  beyla?: { namespace?: string };
  tempo?: { datasourceNamespace?: string; caData?: string; caFile?: string };
  prometheusInstances?: Array<{ namespace?: string }>;
  delivery?: { type?: string };
};

function main(args: string[]) {
  const configs: string[] = [];
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--config') configs.push(args[++i]);
    else if (args[i] === '--cluster') cluster = args[++i];
    else throw new Error(`unknown argument ${args[i]}`);
  }
  if (!configs.length || !cluster) {
    throw new Error(
      'usage: tracegate-rbac --config <app-config.yaml>... --cluster <name>',
    );
  }
  // Later files win, and a later tracing.clusters replaces the whole list,
  // as Backstage merges config arrays.
  let clusters: ClusterEntry[] = [];
  for (const file of configs) {
    const entries = parse(fs.readFileSync(file, 'utf8'))?.tracing?.clusters;
    if (Array.isArray(entries)) clusters = entries;
  }
  const entry = clusters.find(c => c.name === cluster);
  if (!entry) {
    throw new Error(
      `no cluster ${cluster} in tracing.clusters (${
        clusters.map(c => c.name).join(', ') || 'none'
      })`,
    );
  }
  process.stdout.write(
    renderRbac({
      beylaNamespace: entry.beyla?.namespace ?? DEFAULT_BEYLA_NAMESPACE,
      datasourceNamespace:
        entry.tempo?.datasourceNamespace ?? DEFAULT_DATASOURCE_NAMESPACE,
      prometheusNamespaces:
        entry.tempo?.caData || entry.tempo?.caFile
          ? (entry.prometheusInstances ?? [])
              .map(p => p.namespace)
              .filter((ns): ns is string => Boolean(ns))
          : [],
      readOnly: entry.delivery?.type === 'git',
    }),
  );
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`tracegate-rbac: ${(error as Error).message}\n`);
  process.exit(2);
}
