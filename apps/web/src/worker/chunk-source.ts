import { NotACaptureError } from '@capscope/parser/problems';
import { redactSas } from '../import/url/redact';
import type { ImportError, ImportProgress } from './protocol';

/** Enough of an unexpected error's text to report it, not a wall of it. */
const MAX_INTERNAL_MESSAGE_CHARS = 200;

/** What was decoded before a read failed: kept, and named in the report. */
export interface KeptData {
  /** Bytes of the source consumed before the failure. */
  bytesRead: number;
  packets: number;
}

/**
 * Where an import's bytes come from: a file's slices, a gzip file's
 * decompressed stream, a download. The importer runs one loop over any of
 * them; each source counts its own progress and explains its own failures.
 */
export interface ChunkSource {
  /** The capture's bytes in order; a failed read throws from next(). */
  readonly chunks: AsyncGenerator<Uint8Array>;
  /**
   * Bytes of the source consumed so far (compressed ones for gzip) and
   * its size, for the progress bar.
   */
  progress(): ImportProgress;
  /**
   * What a failure of `chunks` means. With `kept`, the capture before the
   * failure is shown and this is the damage reported with it; without,
   * the import failed.
   */
  describeFailure(error: unknown, kept?: KeptData): ImportError;
}

/**
 * An error no source explains: the capture is not one we read, or a bug.
 * The text is redacted, since an exception may quote a URL.
 */
export function toImportError(error: unknown): ImportError {
  if (error instanceof NotACaptureError) {
    return { kind: error.kind, message: error.message };
  }
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = redactSas(text.split('\n')[0]).slice(
    0,
    MAX_INTERNAL_MESSAGE_CHARS,
  );
  return {
    kind: 'internal',
    message: `Capscope failed while reading this file (${firstLine}).`,
  };
}
