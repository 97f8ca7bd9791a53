// `npm test`: builds every workspace, then runs every compiled test file in
// one node:test process and ends with a plain `N passed, N failed` line.

import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);

// Two workers match the machine's two cores; browser tests in particular
// slow down badly when more Chromiums share them.
const TEST_CONCURRENCY = 2;
/**
 * Five minutes a test: the longest, the 4 GiB import, takes under two on
 * a loaded two-core machine.
 */
const TEST_TIMEOUT_MS = 5 * 60 * 1000;

const build = spawnSync('npx', ['turbo', 'run', 'build'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
if (build.status !== 0) {
  console.error('test: build failed, no tests run');
  process.exit(build.status || 1);
}

const testFiles = findTestFiles();
if (testFiles.length === 0) {
  console.error(
    'test: no *.test.js under packages/*/dist or test/dist; ' +
      'did the build emit the tests?',
  );
  process.exit(1);
}

// The spec reporter is for people; the TAP copy is only read back for the
// counts, which are easier to find in TAP than in the spec's decorations.
const tapDir = mkdtempSync(path.join(tmpdir(), 'capscope-test-'));
const tapFile = path.join(tapDir, 'report.tap');
const run = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${TEST_CONCURRENCY}`,
    // A test that hangs fails after this long instead of holding CI.
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...testFiles,
  ],
  { cwd: repoRoot, stdio: 'inherit' },
);

const counts = readCounts(tapFile);
rmSync(tapDir, { recursive: true, force: true });
if (counts === null) {
  console.error('test: the test runner left no summary');
} else {
  const skipped = counts.skipped + counts.todo;
  const failed = counts.fail + counts.cancelled;
  console.log(
    `${counts.pass} passed, ${failed} failed` +
      (skipped > 0 ? `, ${skipped} skipped` : ''),
  );
}
process.exit(run.status ?? 1);

/** Compiled test files, relative to the repository root, in a fixed order. */
function findTestFiles() {
  const packagesDir = path.join(repoRoot, 'packages');
  const distDirs = [
    ...readdirSync(packagesDir).map((name) =>
      path.join(packagesDir, name, 'dist'),
    ),
    path.join(repoRoot, 'test/dist'),
  ];

  const files = [];
  for (const dir of distDirs) {
    if (existsSync(dir)) collectTests(dir, files);
  }
  return files.map((file) => path.relative(repoRoot, file)).sort();
}

function collectTests(dir, files) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') collectTests(entryPath, files);
    } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
      files.push(entryPath);
    }
  }
}

/** The `# pass N` totals at the end of a TAP report, or null. */
function readCounts(file) {
  let tap;
  try {
    tap = readFileSync(file, 'utf8');
  } catch {
    return null;
  }

  const counts = {};
  for (const name of ['pass', 'fail', 'cancelled', 'skipped', 'todo']) {
    // The last match: the totals close the report, while a test's own
    // output could print a line that looks like them earlier on.
    const matches = [...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
    if (matches.length === 0) return null;
    counts[name] = Number(matches.at(-1)[1]);
  }
  return counts;
}
