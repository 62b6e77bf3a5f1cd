import fs from 'node:fs';
import path from 'node:path';
import { OraclePodCase } from './pods';

/** A sampler as Beyla read it from a configuration. */
export type OracleSampler = { name: string; arg: string };

/** What Beyla decided for one process (`<pod id>/<container>`). */
export type OracleDecision = {
  /** Indices of the discovery entries that select it. */
  entries: number[];
  /** An entry selects it but an exclusion wins: Beyla does not instrument it. */
  excluded?: boolean;
  serviceName?: string;
  serviceNamespace?: string;
  /** Resource attributes of its spans (k8s.namespace.name, k8s.deployment.name, ...). */
  attributes?: Record<string, string>;
  entrySampler?: OracleSampler;
};

/** What Beyla did with one configuration file. */
export type OracleConfigResult = {
  sha256: string;
  loadError?: string;
  validateError?: string;
  entries: number;
  entrySamplers?: Array<OracleSampler | null>;
  /** With many entries, instead: sha256 of `<index> <name>:<arg>` lines (`-` for none). */
  entrySamplersDigest?: string;
  globalSampler?: OracleSampler;
  /** Every process an entry selects, when there are few. */
  processes?: Record<string, OracleDecision>;
  /** Else a digest of them (see test/beyla-oracle/go/main.go). */
  selectionDigest?: string;
  selected: number;
};

/** One fixture file: one Beyla version. */
export type OracleFixture = {
  beyla: string;
  source: string;
  tool: string;
  podsSha256: string;
  configs: Record<string, OracleConfigResult>;
  /** Every process of every pod, with every pod selected. */
  naming: Record<string, OracleDecision>;
  namingConfig: string;
};

// Runs from source only (tests, the demo), inside this repository.
// eslint-disable-next-line no-restricted-syntax
const root = path.resolve(__dirname, '..');

/** Where the oracle reads its inputs and writes its fixtures. */
export const ORACLE_INPUTS_DIR = path.join(root, 'inputs');
export const ORACLE_FIXTURES_DIR = path.join(root, 'fixtures');

/** Every committed fixture, oldest Beyla first. */
export function readOracleFixtures(): OracleFixture[] {
  return fs
    .readdirSync(ORACLE_FIXTURES_DIR)
    .filter(file => /^beyla-.*\.json$/.test(file))
    .map(
      file =>
        JSON.parse(
          fs.readFileSync(path.join(ORACLE_FIXTURES_DIR, file), 'utf8'),
        ) as OracleFixture,
    )
    .sort((a, b) => a.beyla.localeCompare(b.beyla, 'en', { numeric: true }));
}

/** The pods the oracle was asked about (`inputs/pods.json`). */
export function readOracleInputPods(): OraclePodCase[] {
  return JSON.parse(
    fs.readFileSync(path.join(ORACLE_INPUTS_DIR, 'pods.json'), 'utf8'),
  );
}

/** The text of `pods.json` the oracle reads (and whose sha256 it records). */
export function podsInputText(pods: unknown): string {
  return `${JSON.stringify(pods, null, 2)}\n`;
}

/**
 * Writes the oracle's inputs: the pods and Tracegate's rendered
 * configurations (name → text). Only when regenerating (see the README).
 */
export function writeOracleInputs(
  pods: unknown,
  configs: Record<string, string>,
) {
  const configDir = path.join(ORACLE_INPUTS_DIR, 'configs');
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(ORACLE_INPUTS_DIR, 'pods.json'),
    podsInputText(pods),
  );
  for (const [name, text] of Object.entries(configs)) {
    fs.writeFileSync(path.join(configDir, `${name}.yml`), text);
  }
}
