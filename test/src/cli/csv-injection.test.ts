// CSV from `capscope flows --format csv` opened in a spreadsheet: a cell
// that starts with =, +, - or @ would run as a formula, so a name a peer
// chose is written with a leading apostrophe instead.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildHttpCapture } from '../browser/hostile-capture.js';

const BIN = fileURLToPath(
  new URL('../../../packages/analytics/bin/capscope.js', import.meta.url));

/** Host headers as a peer may send them; the CLI lower-cases names. */
const FORMULAS = [
  "=cmd|'/c calc'!a1",
  '+1+2',
  '-2+3',
  '@sum(1,2)',
  '=hyperlink("http://x")',
];

test('flows as CSV neutralise cells a spreadsheet would run', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'capscope-csv-'));
  try {
    const file = path.join(dir, 'formulas.pcap');
    await writeFile(file, buildHttpCapture(FORMULAS));
    const run = spawnSync(process.execPath,
      [BIN, 'flows', file, '--format', 'csv'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);

    const lines = run.stdout.trim().split('\n');
    const header = lines[0].split(',');
    const hostColumn = header.indexOf('host');
    assert.ok(hostColumn >= 0, 'a host column');
    assert.equal(lines.length, FORMULAS.length + 1);

    const text = run.stdout;
    for (const formula of FORMULAS) {
      // Spaces in names are escaped as \032 by the analyser.
      const name = formula.toLowerCase().replaceAll(' ', '\\032');
      const quoted = name.includes(',') || name.includes('"');
      const cell = quoted
        ? `"'${name.replaceAll('"', '""')}"`
        : `'${name}`;
      assert.ok(text.includes(`,${cell},`) || text.includes(`,${cell}\n`),
        `${formula} is written as ${cell}`);
    }
    for (const line of lines.slice(1)) {
      // No cell of any row starts a formula: split on commas outside quotes.
      const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? [];
      for (const raw of cells) {
        const cell = raw.replace(/,$/, '').replace(/^"|"$/g, '');
        assert.doesNotMatch(cell, /^[=+@]/, `cell ${cell} in ${line}`);
        assert.doesNotMatch(cell, /^-[^0-9]/, `cell ${cell} in ${line}`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
