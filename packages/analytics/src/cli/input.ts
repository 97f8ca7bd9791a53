import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/**
 * 4 MiB reads: large enough that per-chunk overhead vanishes, small
 * enough that memory stays flat whatever the file size.
 */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** The file's bytes as a stream of chunks, gunzipped when it is gzip. */
export async function* openCaptureStream(
  path: string,
): AsyncGenerator<Uint8Array> {
  const head = await readHead(path);
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const source = gzip
    ? file.pipe(createGunzip({ chunkSize: READ_CHUNK_BYTES }))
    : file;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      yield new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    }
  } finally {
    file.destroy();
  }
}

async function readHead(path: string): Promise<Uint8Array> {
  const stream = createReadStream(path, { start: 0, end: 1 });
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
