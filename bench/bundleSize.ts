/*
 * yarn bench:bundle-size   (after `yarn workspace app build`)
 *
 * The Tracegate frontend's share of the built app: for every chunk in
 * packages/app/dist/static, the generated code its source map attributes to
 * plugins/tracing and plugins/tracing-common, minified and gzipped (level 9)
 * together. Also the chunks that hold any of it, whole, for context: they
 * carry shared code too.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SourceMapConsumer } from 'source-map';
import { report } from './report';

const STATIC = path.resolve(__dirname, '..', 'packages/app/dist/static');
const OURS = /plugins\/tracing(-common)?\/src\//;

async function main() {
  if (!fs.existsSync(STATIC)) {
    throw new Error('no built app: run `yarn workspace app build` first');
  }
  let ownCode = '';
  const chunks: Array<{
    file: string;
    bytes: number;
    gzip: number;
    share: number;
  }> = [];
  for (const file of fs.readdirSync(STATIC).filter(f => f.endsWith('.js'))) {
    const mapFile = path.join(STATIC, `${file}.map`);
    if (!fs.existsSync(mapFile)) continue;
    const code = fs.readFileSync(path.join(STATIC, file), 'utf8');
    const lines = code.split('\n');
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
    if (!map.sources.some((s: string) => OURS.test(s))) continue;
    let own = '';
    // Each mapping covers its generated code up to the next mapping.
    const mappings: Array<{ line: number; column: number; ours: boolean }> = [];
    new SourceMapConsumer(map).eachMapping(m =>
      mappings.push({
        line: m.generatedLine,
        column: m.generatedColumn,
        ours: Boolean(m.source && OURS.test(m.source)),
      }),
    );
    mappings.sort((a, b) => a.line - b.line || a.column - b.column);
    mappings.forEach((m, k) => {
      if (!m.ours) return;
      const next = mappings[k + 1];
      const line = lines[m.line - 1] ?? '';
      own += line.slice(
        m.column,
        next && next.line === m.line ? next.column : undefined,
      );
    });
    ownCode += own;
    chunks.push({
      file,
      bytes: Buffer.byteLength(code),
      gzip: zlib.gzipSync(code, { level: 9 }).length,
      share: Buffer.byteLength(own),
    });
  }
  const ownGzip = zlib.gzipSync(ownCode, { level: 9 }).length;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  report(
    'bundle-size',
    [
      ...chunks.map(c => ({
        what: `chunk ${c.file}`,
        minified: c.bytes,
        gzip: c.gzip,
        note: `${kb(c.share)} of it Tracegate's`,
      })),
      {
        what: "Tracegate's own code (all chunks)",
        minified: Buffer.byteLength(ownCode),
        gzip: ownGzip,
        note:
          ownGzip <= 150 * 1024
            ? 'target ≤ 150 KB: met'
            : 'target ≤ 150 KB: NOT met',
      },
    ],
    [
      ['what', r => r.what],
      ['minified', r => kb(r.minified)],
      ['gzip', r => kb(r.gzip)],
      ['', r => r.note],
    ],
    [
      "attribution from the source maps; shared libraries (MUI, Backstage) not counted as Tracegate's",
    ],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
