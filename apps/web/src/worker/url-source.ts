import { parseBlobUrl } from '../import/url/blob-url';
import { describeSas, readSas } from '../import/url/sas';
import { BlobDownload, DownloadFailure } from './blob-download';
import { toImportError, type ChunkSource } from './chunk-source';
import { describeBrokenGzip } from './damage';
import type { ImportError } from './protocol';
import { gunzip } from './read-file';

/** gzip's two magic bytes. */
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * A capture downloaded from `href` (a blob URL with its SAS token) as it
 * arrives, decompressed on the way when it is gzip. Progress counts the
 * bytes downloaded. Log lines and messages name the URL without its query.
 */
export function urlSource(href: string, origin: string): ChunkSource {
  const parsed = parseBlobUrl(href);
  if (!parsed.ok) return failedSource(parsed.error);
  const { location } = parsed;
  const sas = readSas(location.params);
  const download = new BlobDownload({
    location,
    sas,
    origin,
    log: (line) => console.info(line),
  });
  let gzip = false;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    console.info(`url: reading ${location.withoutQuery} (${describeSas(sas)})`);
    const body = download.chunks();
    const head: Uint8Array[] = [];
    let headBytes = 0;
    while (headBytes < GZIP_MAGIC.length) {
      const next = await body.next();
      if (next.done) break;
      head.push(next.value);
      headBytes += next.value.byteLength;
    }
    const first = concat(head);
    gzip = first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
    console.info(
      `url: ${download.bytesTotal || 'unknown'} bytes to read` +
        `${gzip ? ', gzip-compressed' : ''}`,
    );

    const whole = prepend(first, body);
    if (gzip) yield* gunzip(toStream(whole), () => undefined);
    else yield* whole;
  }

  return {
    chunks: chunks(),
    progress: () => ({
      bytesRead: download.bytesReceived,
      bytesTotal: download.bytesTotal,
      resumes: download.resumes,
    }),
    describeFailure(error, kept) {
      if (gzip && error instanceof TypeError) {
        return kept
          ? describeBrokenGzip(kept.bytesRead, kept.packets)
          : {
              kind: 'corrupt',
              message:
                'This download looks gzip-compressed but cannot be ' +
                'decompressed: its gzip data is damaged.',
            };
      }
      const failure = explain(error);
      if (!kept) return failure;
      const of = download.bytesTotal > 0 ? ` of ${download.bytesTotal}` : '';
      return {
        ...failure,
        message:
          `The download stopped after ${download.bytesReceived}${of} ` +
          `bytes: ${failure.message} The ${kept.packets} packets before ` +
          'that point are shown.',
      };
    },
  };
}

function explain(error: unknown): ImportError {
  return error instanceof DownloadFailure ? error.error : toImportError(error);
}

/** A source that fails at once, for a URL that does not parse. */
function failedSource(error: ImportError): ChunkSource {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    throw new DownloadFailure({ ...error, kind: 'bad-url' }, false);
  }
  return {
    chunks: chunks(),
    progress: () => ({ bytesRead: 0, bytesTotal: 0 }),
    describeFailure: (failure) => explain(failure),
  };
}

async function* prepend(
  first: Uint8Array,
  rest: AsyncGenerator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (first.byteLength > 0) yield first;
  yield* rest;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** The chunks as a stream, for DecompressionStream to read. */
function toStream(
  chunks: AsyncGenerator<Uint8Array>,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value as Uint8Array<ArrayBuffer>);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
