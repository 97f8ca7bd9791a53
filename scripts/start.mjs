// `npm start`: builds when the web build is missing or older than its
// sources, then serves apps/web/dist. The address is the only line on
// stdout (build output goes to stderr), so a script can read it.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from './static-server.mjs';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
const distDir = path.join(repoRoot, 'apps/web/dist');
const builtIndex = path.join(distDir, 'index.html');

const host = process.env.HOST || '127.0.0.1';
const port = parsePort(process.env.PORT || '4173');

if (needsBuild()) {
  const build = spawnSync('npx', ['turbo', 'run', 'build'], {
    cwd: repoRoot,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) {
    console.error('start: build failed, nothing to serve');
    process.exit(build.status || 1);
  }
  if (!existsSync(builtIndex)) {
    console.error(`start: the build left no ${builtIndex}`);
    process.exit(1);
  }
}

let server;
try {
  server = await serveStatic({ root: distDir, host, port });
} catch (error) {
  if (error.code === 'EADDRINUSE') {
    console.error(`start: port ${port} is in use on ${host}; set PORT`);
  } else {
    console.error(`start: cannot listen on ${host}:${port}: ${error.message}`);
  }
  process.exit(1);
}
console.log(`Capscope is running at ${server.url}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close().finally(() => process.exit(0));
  });
}

function parsePort(text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`start: PORT must be a number from 0 to 65535, not ${text}`);
    process.exit(1);
  }
  return value;
}

function needsBuild() {
  let builtMs;
  try {
    builtMs = statSync(builtIndex).mtimeMs;
  } catch {
    return true;
  }

  const packagesDir = path.join(repoRoot, 'packages');
  const sources = [
    ...readdirSync(packagesDir).map((name) =>
      path.join(packagesDir, name, 'src'),
    ),
    'apps/web/src',
    'apps/web/public',
    'apps/web/build',
    'apps/web/index.html',
    'apps/web/vite.config.ts',
  ].map((source) => path.resolve(repoRoot, source));
  return sources.some((source) => hasNewerFile(source, builtMs));
}

/** True when `target`, or any file under it, changed after `sinceMs`. */
function hasNewerFile(target, sinceMs) {
  let info;
  try {
    info = statSync(target);
  } catch {
    return false;
  }
  if (!info.isDirectory()) return info.mtimeMs > sinceMs;

  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    if (hasNewerFile(path.join(target, entry.name), sinceMs)) return true;
  }
  return false;
}
