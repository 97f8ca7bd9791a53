/**
 * 16 MiB slices with two reads in flight read a local file in Chromium at
 * about 950 MB/s, against 600-800 MB/s for file.stream() and far less for
 * one small slice at a time (measured on 1 GiB files, December 2026). A
 * slice also keeps every read far below 2 GiB, past which Chromium fails a
 * read with a misleading NotReadableError.
 */
export const SLICE_BYTES = 16 * 1024 * 1024;
const READS_IN_FLIGHT = 2;

/** gzip's two magic bytes. */
const GZIP_MAGIC = [0x1f, 0x8b];

export async function isGzip(file: Blob): Promise<boolean> {
  if (file.size < GZIP_MAGIC.length) return false;
  const head = new Uint8Array(
    await file.slice(0, GZIP_MAGIC.length).arrayBuffer(),
  );
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * Yields the file in order, in slices, with the next reads already
 * started while the caller works on the current one. The caller may stop
 * early; reads still in flight are then dropped.
 */
export async function* readSlices(file: Blob): AsyncGenerator<Uint8Array> {
  const pending: Array<Promise<ArrayBuffer>> = [];
  let nextOffset = 0;
  const startReads = () => {
    while (pending.length < READS_IN_FLIGHT && nextOffset < file.size) {
      const end = Math.min(nextOffset + SLICE_BYTES, file.size);
      const read = file.slice(nextOffset, end).arrayBuffer();
      // A read ahead may fail (the file changed) before the loop awaits
      // it; the await below still sees the failure, but it must not count
      // as unhandled meanwhile.
      read.catch(() => undefined);
      pending.push(read);
      nextOffset = end;
    }
  };

  try {
    startReads();
    while (pending.length > 0) {
      const buffer = await (pending.shift() as Promise<ArrayBuffer>);
      startReads();
      yield new Uint8Array(buffer);
    }
  } finally {
    // A read the caller no longer wants must not fail unobserved.
    for (const read of pending) read.catch(() => undefined);
  }
}

/**
 * Yields the decompressed bytes of a gzip file. `onCompressedBytes` hears
 * how much of the file itself has been consumed, which is what progress
 * can be measured against.
 */
export function readGzip(
  file: Blob,
  onCompressedBytes: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  return gunzip(file.stream(), onCompressedBytes);
}

/** Yields the decompressed bytes of a gzip stream (a file's, a download's). */
export async function* gunzip(
  compressed: ReadableStream<Uint8Array<ArrayBuffer>>,
  onCompressedBytes: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  let compressedBytes = 0;
  const counter = new TransformStream<Uint8Array<ArrayBuffer>, BufferSource>({
    transform(chunk, controller) {
      compressedBytes += chunk.byteLength;
      onCompressedBytes(compressedBytes);
      controller.enqueue(chunk);
    },
  });
  const reader = compressed
    .pipeThrough(counter)
    .pipeThrough(new DecompressionStream('gzip'))
    .getReader();

  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
    finished = true;
  } finally {
    if (!finished) reader.cancel().catch(() => undefined);
  }
}
