// A small static file server for the production build: `npm start` uses it,
// and so do the browser tests, so both see the same MIME types and paths.

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';

const MIME_TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  // Module scripts and workers are refused unless served as JavaScript.
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.webmanifest', 'application/manifest+json; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
  // WebAssembly.instantiateStreaming() rejects any other type.
  ['.wasm', 'application/wasm'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.ico', 'image/x-icon'],
  ['.woff', 'font/woff'],
  ['.woff2', 'font/woff2'],
  ['.ttf', 'font/ttf'],
  ['.pcap', 'application/octet-stream'],
  ['.cap', 'application/octet-stream'],
  ['.pcapng', 'application/octet-stream'],
  ['.mmdb', 'application/octet-stream'],
]);

const DEFAULT_TYPE = 'application/octet-stream';

/**
 * Serves the files under `root` at `basePath` on `host:port` (port 0 picks a
 * free one). `/` and any path ending in `/` serve that folder's index.html;
 * folders get no listing and there is no fallback to index.html, since the
 * app keeps its state in the hash. GET and HEAD only; Range is ignored and
 * the whole file is sent, which HTTP allows.
 *
 * `headers` are added to every file served, for example a
 * Content-Security-Policy as a host that can send headers would send it.
 *
 * @param {{ root: string, host?: string, port?: number, basePath?: string,
 *   headers?: Record<string, string> }} options
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function serveStatic({
  root,
  host = '127.0.0.1',
  port = 0,
  basePath = '/',
  headers = {},
}) {
  // Checking against the real path keeps a symlink inside root from
  // pointing the server at files outside it.
  const rootReal = await realpath(path.resolve(root));
  const base = normaliseBasePath(basePath);

  const server = createServer((req, res) => {
    handle(req, res, rootReal, base, headers).catch((error) => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy(error);
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });

  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${boundPort}${base}`,
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Browsers hold keep-alive connections open; without this, close()
        // waits for them to time out.
        server.closeAllConnections();
      });
    },
  };
}

function normaliseBasePath(basePath) {
  let base = basePath.startsWith('/') ? basePath : `/${basePath}`;
  if (!base.endsWith('/')) base += '/';
  return base;
}

async function handle(req, res, rootReal, base, headers) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'Method Not Allowed');
    return;
  }

  const file = await resolveFile(req.url ?? '/', rootReal, base);
  if (file === null) {
    send(res, 404, 'Not Found');
    return;
  }

  const { filePath, info } = file;
  const type = MIME_TYPES.get(path.extname(filePath).toLowerCase());
  res.writeHead(200, {
    'Content-Type': type ?? DEFAULT_TYPE,
    'Content-Length': info.size,
    'Last-Modified': info.mtime.toUTCString(),
    // A rebuild must show up on the next reload, in tests and by hand.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });

  if (req.method === 'HEAD') {
    res.end();
    return;
  }

  const stream = createReadStream(filePath);
  stream.on('error', (error) => res.destroy(error));
  stream.pipe(res);
}

/**
 * Maps a request target to a regular file inside rootReal and its stats, or
 * null when it names nothing servable (outside base or root, missing, a
 * folder).
 */
async function resolveFile(target, rootReal, base) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(target, 'http://x').pathname);
  } catch {
    return null;
  }

  if (!pathname.startsWith(base) || pathname.includes('\0')) return null;
  let relative = pathname.slice(base.length);
  if (relative === '' || relative.endsWith('/')) relative += 'index.html';

  // An encoded `..` or `/` survives URL parsing and is decoded only above,
  // so the joined path is checked, not the URL.
  const candidate = path.resolve(rootReal, relative);
  if (!isInside(rootReal, candidate)) return null;

  try {
    const filePath = await realpath(candidate);
    if (!isInside(rootReal, filePath)) return null;
    const info = await stat(filePath);
    return info.isFile() ? { filePath, info } : null;
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw error;
  }
}

function isInside(root, candidate) {
  return candidate === root || candidate.startsWith(root + path.sep);
}

function send(res, status, text) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
