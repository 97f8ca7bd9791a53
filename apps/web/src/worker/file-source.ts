import type { ChunkSource, KeptData } from './chunk-source';
import { toImportError } from './chunk-source';
import { describeBrokenGzip } from './damage';
import type { ImportError } from './protocol';
import { isGzip, readGzip, readSlices } from './read-file';

/**
 * A picked or dropped file: read in slices, or decompressed as a stream
 * when its first bytes are gzip's magic.
 */
export function fileSource(file: Blob): ChunkSource {
  let gzip = false;
  let bytesRead = 0;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    gzip = await isGzip(file);
    if (gzip) {
      yield* readGzip(file, (compressedBytes) => (bytesRead = compressedBytes));
      return;
    }
    for await (const slice of readSlices(file)) {
      bytesRead += slice.byteLength;
      yield slice;
    }
  }

  return {
    chunks: chunks(),
    progress: () => ({ bytesRead, bytesTotal: file.size }),
    describeFailure: (error, kept) => readError(error, gzip, kept),
  };
}

/**
 * A read that failed. With `kept` (what was decoded before it) the failure
 * is damage to a capture shown anyway; without, the import failed.
 */
function readError(
  error: unknown,
  gzip: boolean,
  kept?: KeptData,
): ImportError {
  if (gzip && error instanceof TypeError) {
    return kept
      ? describeBrokenGzip(kept.bytesRead, kept.packets)
      : {
          kind: 'corrupt',
          message:
            'This file looks gzip-compressed but cannot be ' +
            'decompressed: its gzip data is damaged.',
        };
  }
  if (error instanceof DOMException) {
    const lost =
      'The browser could not read the file; it may have been moved, ' +
      'changed or deleted since it was picked.';
    return {
      kind: 'unreadable',
      message: kept
        ? `${lost} The ${kept.packets} packets before byte ` +
          `${kept.bytesRead} are shown.`
        : lost,
    };
  }
  return toImportError(error);
}
