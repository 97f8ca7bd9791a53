// The download with resume, against a small HTTP server in this process
// that misbehaves on purpose: drops connections, ignores or refuses
// ranges, changes the blob, stalls.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { parseBlobUrl } from '../../../apps/web/src/import/url/blob-url.js';
import { readSas } from '../../../apps/web/src/import/url/sas.js';
import {
  BlobDownload,
  DownloadFailure,
  MAX_RESUMES_IN_A_ROW,
} from '../../../apps/web/src/worker/blob-download.js';

const BLOB = randomBytes(300_000);
const SIG = encodeURIComponent('Z'.repeat(43) + '=');

type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  attempt: number,
) => void;

/** Serves BLOB from `start`, whole or as a 206, with an ETag. */
function serve(
  response: ServerResponse,
  start: number,
  options: { etag?: string; partial?: boolean; cutAfter?: number } = {},
): void {
  const body = BLOB.subarray(start);
  const headers: Record<string, string | number> = {
    'content-length': body.length,
    etag: options.etag ?? '"v1"',
  };
  if (options.partial) {
    headers['content-range'] = `bytes ${start}-${BLOB.length - 1}/${BLOB.length}`;
  }
  response.writeHead(options.partial ? 206 : 200, headers);
  if (options.cutAfter === undefined) {
    response.end(body);
    return;
  }
  response.write(body.subarray(0, options.cutAfter), () => {
    response.socket?.destroy();
  });
}

/** The `N` of a `Range: bytes=N-` header; 0 without one. */
function rangeStart(request: IncomingMessage): number {
  const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  return match ? Number(match[1]) : 0;
}

describe('BlobDownload', () => {
  let server: Server;
  let port = 0;
  let handler: Handler = () => undefined;
  let ranges: Array<string | undefined> = [];

  before(async () => {
    server = createServer((request, response) => {
      ranges.push(request.headers.range);
      handler(request, response, ranges.length);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function download(
    handle: Handler,
    options: { stallTimeoutMs?: number; url?: string } = {},
  ): BlobDownload {
    handler = handle;
    ranges = [];
    const url =
      options.url ??
      `http://127.0.0.1:${port}/acct/c/blob.cap?sv=1&sp=r&sr=b&sig=${SIG}`;
    const parsed = parseBlobUrl(url);
    assert.ok(parsed.ok);
    return new BlobDownload({
      location: parsed.location,
      sas: readSas(parsed.location.params),
      origin: 'http://127.0.0.1:4173',
      sleep: () => Promise.resolve(),
      stallTimeoutMs: options.stallTimeoutMs,
    });
  }

  async function readAll(blob: BlobDownload): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const chunk of blob.chunks()) parts.push(chunk);
    return Buffer.concat(parts);
  }

  async function failure(blob: BlobDownload): Promise<DownloadFailure> {
    try {
      await readAll(blob);
    } catch (error) {
      assert.ok(error instanceof DownloadFailure, String(error));
      assert.doesNotMatch(error.error.message, /sig=|ZZZZ/);
      return error;
    }
    assert.fail('the download should have failed');
  }

  test('reads a whole blob and learns its size', async () => {
    const blob = download((_, response) => serve(response, 0));
    assert.ok((await readAll(blob)).equals(BLOB));
    assert.equal(blob.bytesTotal, BLOB.length);
    assert.equal(blob.resumes, 0);
    assert.deepEqual(ranges, [undefined]);
  });

  test('resumes a dropped connection from the last byte received', async () => {
    const cut = 123_457;
    const blob = download((request, response, attempt) => {
      if (attempt === 1) serve(response, 0, { cutAfter: cut });
      else serve(response, rangeStart(request), { partial: true });
    });
    assert.ok((await readAll(blob)).equals(BLOB));
    assert.deepEqual(ranges, [undefined, `bytes=${cut}-`]);
    assert.equal(blob.resumes, 1);
  });

  test('skips what it has when a resume gets the whole blob', async () => {
    const blob = download((_, response, attempt) => {
      serve(response, 0, attempt === 1 ? { cutAfter: 1000 } : {});
    });
    assert.ok((await readAll(blob)).equals(BLOB));
    assert.deepEqual(ranges, [undefined, 'bytes=1000-']);
  });

  test('retries a resume that fails with a 5xx', async () => {
    const blob = download((request, response, attempt) => {
      if (attempt === 1) serve(response, 0, { cutAfter: 5000 });
      else if (attempt === 2) response.writeHead(503).end();
      else serve(response, rangeStart(request), { partial: true });
    });
    assert.ok((await readAll(blob)).equals(BLOB));
    assert.deepEqual(ranges, [undefined, 'bytes=5000-', 'bytes=5000-']);
  });

  test('stops after a bounded number of drops in a row', async () => {
    const blob = download((request, response) => {
      serve(response, rangeStart(request), {
        partial: rangeStart(request) > 0,
        cutAfter: 10,
      });
    });
    const error = await failure(blob);
    assert.equal(error.error.kind, 'network');
    assert.match(error.error.message, /dropped 6 times in a row/);
    assert.equal(ranges.length, MAX_RESUMES_IN_A_ROW + 1);
    assert.equal(blob.bytesReceived, 10 * ranges.length);
  });

  test('refuses to stitch a blob that changed', async () => {
    const blob = download((request, response, attempt) => {
      if (attempt === 1) serve(response, 0, { cutAfter: 4000 });
      else serve(response, rangeStart(request), { partial: true, etag: '"v2"' });
    });
    assert.equal((await failure(blob)).error.kind, 'blob-changed');
  });

  test('names a 416 on resume', async () => {
    const blob = download((_, response, attempt) => {
      if (attempt === 1) serve(response, 0, { cutAfter: 4000 });
      else {
        response.writeHead(416, { 'x-ms-error-code': 'InvalidRange' }).end();
      }
    });
    const error = await failure(blob);
    assert.equal(error.error.kind, 'range-not-satisfiable');
    assert.match(error.error.message, /from byte 4000/);
  });

  test('explains a refusal from its XML body', async () => {
    const blob = download((_, response) => {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end(
        '<?xml version="1.0"?><Error><Code>AuthorizationPermissionMismatch' +
          '</Code><Message>No.</Message></Error>',
      );
    });
    const error = await failure(blob);
    assert.equal(error.error.kind, 'sas-permission');
    assert.equal(error.retryable, false);
    assert.deepEqual(ranges, [undefined], 'a refusal is not retried');
  });

  test('says network when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const blob = download(() => undefined, {
      url: `http://127.0.0.1:${deadPort}/acct/c/blob.cap?sp=r&sig=${SIG}`,
    });
    const error = await failure(blob);
    assert.equal(error.error.kind, 'network');
    assert.ok(error.error.cors, 'with the CORS rule in case it is CORS');
  });

  test('treats a stalled download as dropped', async () => {
    const blob = download(
      (request, response, attempt) => {
        if (attempt > 1) {
          serve(response, rangeStart(request), { partial: true });
          return;
        }
        response.writeHead(200, { 'content-length': BLOB.length, etag: '"v1"' });
        response.write(BLOB.subarray(0, 777));
        // ...and nothing more, until the client gives up on it.
        request.on('close', () => response.destroy());
      },
      { stallTimeoutMs: 200 },
    );
    assert.ok((await readAll(blob)).equals(BLOB));
    assert.deepEqual(ranges, [undefined, 'bytes=777-']);
  });
});
