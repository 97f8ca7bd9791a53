import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ResolvedConfig } from 'vite';

/** The service worker's name in the build, beside index.html. */
export const SERVICE_WORKER_FILE = 'sw.js';

const TEMPLATE = fileURLToPath(new URL('./service-worker.js', import.meta.url));

/**
 * Source maps are for developers with the network on; the service worker
 * does not store them.
 */
const NOT_PRECACHED = /\.map$/;

/**
 * Writes sw.js once the build is on disk: the service worker template
 * after a list of every file of the build (hashed assets, public files,
 * index.html) and a build id hashed from their names and contents, so
 * that any change to the build is a new service worker.
 */
export function serviceWorker(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'capscope:service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    async closeBundle() {
      const outDir = path.resolve(config.root, config.build.outDir);
      const files = (await listFiles(outDir)).filter(
        (file) => file !== SERVICE_WORKER_FILE && !NOT_PRECACHED.test(file),
      );

      const hash = createHash('sha256');
      for (const file of files) {
        hash.update(file).update('\0');
        hash.update(await readFile(path.join(outDir, file)));
      }
      const buildId = hash.digest('hex').slice(0, 16);

      const template = await readFile(TEMPLATE, 'utf8');
      const source =
        `const BUILD_ID = ${JSON.stringify(buildId)};\n` +
        `const PRECACHE = ${JSON.stringify(files, null, 2)};\n\n` +
        template;
      await writeFile(path.join(outDir, SERVICE_WORKER_FILE), source);
      config.logger.info(
        `service worker: ${files.length} files precached, build ${buildId}`,
      );
    },
  };
}

/** Every file under `dir`, as sorted paths relative to it with `/`. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path
        .relative(dir, path.join(entry.parentPath, entry.name))
        .split(path.sep)
        .join('/'),
    )
    .sort();
}
