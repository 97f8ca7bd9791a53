import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/**
 * 4 MiB reads: large enough that per-chunk overhead vanishes, small
 * enough that memory stays flat whatever the file size.
 */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The file's bytes as a stream of chunks, gunzipped when it is gzip. A
 * plain file is read into one buffer, again and again: a chunk is valid
 * until the next one is asked for, which the capture reader allows (it
 * copies what it keeps), and memory stays at one chunk whatever the file.
 * With `bytes`, reading stops there: threads that share a file still
 * being written read the same bytes.
 */
export async function* openCaptureStream(
  path: string,
  bytes = Infinity,
): AsyncGenerator<Uint8Array> {
  if (await isGzipFile(path)) {
    yield* gunzipStream(path, bytes);
    return;
  }
  const handle = await open(path, 'r');
  const buffer = new Uint8Array(READ_CHUNK_BYTES);
  try {
    for (let position = 0; ;) {
      const wanted = Math.min(buffer.length, bytes - position);
      if (wanted <= 0) return;
      const { bytesRead } = await handle.read(buffer, 0, wanted, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

export async function isGzipFile(path: string): Promise<boolean> {
  const head = await readHead(path);
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function* gunzipStream(
  path: string,
  bytes: number,
): AsyncGenerator<Uint8Array> {
  const file = createReadStream(path, {
    highWaterMark: READ_CHUNK_BYTES,
    ...(Number.isFinite(bytes) ? { end: bytes - 1 } : {}),
  });
  const source = file.pipe(createGunzip({ chunkSize: READ_CHUNK_BYTES }));
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
