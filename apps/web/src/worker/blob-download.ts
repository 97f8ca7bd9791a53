// Imports carry `.js` so that the tests compile this file for Node as well
// (test/tsconfig.web-units.json); Vite resolves them to the .ts files.
import type { BlobLocation } from '../import/url/blob-url.js';
import type { UrlError } from '../import/url/errors.js';
import type { SasInfo } from '../import/url/sas.js';
import {
  describeStorageAnswer,
  describeUnreachable,
  type FailureContext,
} from '../import/url/storage-error.js';

/**
 * A dropped connection is resumed this many times in a row; a resumed
 * request that brings RESUME_PROGRESS_BYTES resets the count, so a long
 * download over a poor link keeps going while a dead one stops.
 */
export const MAX_RESUMES_IN_A_ROW = 5;
/** 1 MiB: a few seconds of a slow link, much more than a failed attempt. */
const RESUME_PROGRESS_BYTES = 1024 * 1024;
/** The first resume waits this long; each next one twice as long. */
const RESUME_DELAY_MS = 250;
/**
 * A download that brings nothing for this long is treated as dropped:
 * a connection can stall without ever failing.
 */
export const STALL_TIMEOUT_MS = 30_000;
/** An error body is a few hundred bytes of XML; more is not one. */
const MAX_ERROR_BODY_CHARS = 16 * 1024;

export class DownloadFailure extends Error {
  constructor(
    readonly error: UrlError,
    /** A dropped connection or a 5xx, which a resume may get past. */
    readonly retryable: boolean,
  ) {
    super(error.message);
    this.name = 'DownloadFailure';
  }
}

export interface DownloadOptions {
  location: BlobLocation;
  sas: SasInfo;
  /** The page's origin, which a CORS rule must admit. */
  origin: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** One line per decision; never given the SAS token. */
  log?: (line: string) => void;
  now?: () => number;
  stallTimeoutMs?: number;
}

/**
 * Streams one blob, resuming with `Range: bytes=N-` (N the bytes already
 * received) when the connection drops. Requests use `cache: 'no-store'`:
 * Chromium's HTTP cache can stitch ranges together, and a capture has no
 * business in the disk cache. Resumed parts are checked against the first
 * answer's ETag and size where the CORS rule exposes them.
 */
export class BlobDownload {
  bytesReceived = 0;
  /** From Content-Length; 0 while unknown. */
  bytesTotal = 0;
  /** Connections resumed so far. */
  resumes = 0;

  private etag: string | null = null;
  private failuresInARow = 0;
  private receivedAtLastResume = 0;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly stallTimeoutMs: number;

  constructor(private readonly options: DownloadOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.sleep =
      options.sleep ??
      ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.stallTimeoutMs = options.stallTimeoutMs ?? STALL_TIMEOUT_MS;
  }

  /**
   * The blob's bytes in order. Throws DownloadFailure for an answer or a
   * failure that ends the download; stopping early aborts the request.
   */
  async *chunks(): AsyncGenerator<Uint8Array> {
    let part = await this.request(0);
    for (;;) {
      let dropped: unknown = null;
      const reader = part.body.getReader();
      // Bytes of a 200 answer to a Range request that we already have.
      let skip = part.skip;
      let stall = this.watchStall(part.abort);
      try {
        for (;;) {
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            next = await reader.read();
          } catch (error) {
            dropped = error;
            break;
          }
          if (next.done) break;
          stall = this.watchStall(part.abort, stall);

          let chunk = next.value;
          if (skip > 0) {
            const skipped = Math.min(skip, chunk.byteLength);
            skip -= skipped;
            chunk = chunk.subarray(skipped);
            if (chunk.byteLength === 0) continue;
          }
          this.bytesReceived += chunk.byteLength;
          if (
            this.bytesReceived - this.receivedAtLastResume >=
            RESUME_PROGRESS_BYTES
          ) {
            this.failuresInARow = 0;
          }
          yield chunk;
        }
      } finally {
        clearTimeout(stall);
        // Ends the request when the caller stopped early; harmless after.
        reader.cancel().catch(() => undefined);
      }

      const complete =
        this.bytesTotal > 0
          ? this.bytesReceived >= this.bytesTotal
          : dropped === null;
      if (complete) {
        // Without a Content-Length, the size is known at the end.
        this.bytesTotal ||= this.bytesReceived;
        return;
      }
      part = await this.resume(dropped);
    }
  }

  /** Waits, then asks for the rest; again while attempts are left. */
  private async resume(dropped: unknown): Promise<Part> {
    for (;;) {
      this.failuresInARow++;
      const of = this.bytesTotal > 0 ? ` of ${this.bytesTotal}` : '';
      if (this.failuresInARow > MAX_RESUMES_IN_A_ROW) {
        const cause =
          dropped instanceof DownloadFailure ? ` ${dropped.error.message}` : '';
        throw new DownloadFailure(
          {
            kind: 'network',
            message:
              `The connection to ${this.options.location.host} dropped ` +
              `${MAX_RESUMES_IN_A_ROW + 1} times in a row; the download ` +
              `stopped after ${this.bytesReceived}${of} bytes.${cause} ` +
              'Check the network and open the URL again.',
          },
          false,
        );
      }

      this.resumes++;
      this.receivedAtLastResume = this.bytesReceived;
      this.log(
        `url: connection dropped after ${this.bytesReceived}${of} bytes; ` +
          `resuming from there (attempt ${this.failuresInARow} of ` +
          `${MAX_RESUMES_IN_A_ROW})`,
      );
      await this.sleep(RESUME_DELAY_MS * 2 ** (this.failuresInARow - 1));
      try {
        return await this.request(this.bytesReceived);
      } catch (error) {
        if (!(error instanceof DownloadFailure) || !error.retryable) {
          throw error;
        }
        dropped = error;
      }
    }
  }

  /** One GET, from `offset` on: its body, or a DownloadFailure. */
  private async request(offset: number): Promise<Part> {
    const abort = new AbortController();
    const init: RequestInit = {
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: abort.signal,
    };
    // A single `bytes=N-` range is CORS-safelisted: no preflight.
    if (offset > 0) init.headers = { Range: `bytes=${offset}-` };

    let response: Response;
    try {
      response = await this.fetch(this.options.location.href, init);
    } catch {
      if (offset > 0) {
        throw new DownloadFailure(
          {
            kind: 'network',
            message: `${this.options.location.host} did not answer.`,
          },
          true,
        );
      }
      throw new DownloadFailure(
        describeUnreachable(await this.hostAnswers(), this.context()),
        false,
      );
    }

    if (!response.ok) {
      const body = await readSome(response);
      const error = describeStorageAnswer(
        {
          status: response.status,
          errorCodeHeader: response.headers.get('x-ms-error-code'),
          body,
          rangeStart: offset > 0 ? offset : undefined,
        },
        this.context(),
      );
      throw new DownloadFailure(error, response.status >= 500);
    }
    if (!response.body) {
      throw new DownloadFailure(
        { kind: 'storage-error', message: 'The answer had no body.' },
        false,
      );
    }

    const skip = offset > 0 ? this.checkResumed(response, offset) : 0;
    if (offset === 0) {
      this.etag = response.headers.get('etag');
      this.bytesTotal =
        Number(response.headers.get('content-length') ?? 0) || 0;
    }
    return { body: response.body, abort, skip };
  }

  /**
   * A resumed part must continue the blob we started: same ETag and size
   * where the CORS rule lets us see them, starting at `offset`. Returns
   * the bytes to skip: all of `offset` when the server sent the whole blob.
   */
  private checkResumed(response: Response, offset: number): number {
    const etag = response.headers.get('etag');
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(
      response.headers.get('content-range') ?? '',
    );
    const size = range && range[2] !== '*' ? Number(range[2]) : null;
    const changed =
      (etag !== null && this.etag !== null && etag !== this.etag) ||
      (size !== null && this.bytesTotal > 0 && size !== this.bytesTotal);
    if (changed) {
      throw new DownloadFailure(
        {
          kind: 'blob-changed',
          message:
            'The blob was replaced while it downloaded (its ETag or size ' +
            `changed after ${offset} bytes), so the rest does not fit what ` +
            'came before. Open the URL again.',
        },
        false,
      );
    }
    if (response.status === 200) return offset;
    if (range && Number(range[1]) !== offset) {
      throw new DownloadFailure(
        {
          kind: 'storage-error',
          message:
            `Asked for the blob from byte ${offset}, the service sent it ` +
            `from byte ${range[1]}.`,
        },
        false,
      );
    }
    return 0;
  }

  /**
   * Whether the host answers at all. A no-cors request resolves (with an
   * opaque answer) when it does, even where CORS hides the answer; it
   * fails like the real request when nothing answers.
   */
  private async hostAnswers(): Promise<boolean> {
    try {
      await this.fetch(this.options.location.href, {
        method: 'HEAD',
        mode: 'no-cors',
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Aborts the request when it brings nothing for stallTimeoutMs. */
  private watchStall(
    abort: AbortController,
    previous?: ReturnType<typeof setTimeout>,
  ): ReturnType<typeof setTimeout> {
    if (previous !== undefined) clearTimeout(previous);
    return setTimeout(() => abort.abort(), this.stallTimeoutMs);
  }

  private context(): FailureContext {
    return {
      location: this.options.location,
      sas: this.options.sas,
      origin: this.options.origin,
      nowMs: this.now(),
    };
  }
}

interface Part {
  body: ReadableStream<Uint8Array>;
  abort: AbortController;
  /** Leading bytes we already have. */
  skip: number;
}

/** The start of an error answer's body; '' when it cannot be read. */
async function readSome(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.slice(0, MAX_ERROR_BODY_CHARS);
  } catch {
    return '';
  }
}
