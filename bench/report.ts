import fs from 'node:fs';
import path from 'node:path';

/**
 * Prints rows as a table and writes them with the date and machine facts to
 * bench/results/<name>.json, which `yarn bench` gathers.
 */
export function report<T>(
  name: string,
  rows: T[],
  columns: Array<[string, (row: T) => string]>,
  notes: string[] = [],
) {
  const cells = [
    columns.map(([title]) => title),
    ...rows.map(row => columns.map(([, cell]) => cell(row))),
  ];
  const widths = columns.map((_, i) =>
    Math.max(...cells.map(r => r[i].length)),
  );
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    `\n${name}\n${line(cells[0])}\n${widths
      .map(w => '-'.repeat(w))
      .join('  ')}\n${cells.slice(1).map(line).join('\n')}\n${notes
      .map(n => `  ${n}\n`)
      .join('')}`,
  );
  const dir = path.resolve(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    `${JSON.stringify(
      {
        name,
        at: new Date().toISOString(),
        machine: {
          cpus: require('node:os').cpus().length,
          node: process.version,
        },
        rows,
        notes,
      },
      null,
      2,
    )}\n`,
  );
}
