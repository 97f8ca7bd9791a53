import type { ImportSession } from '../import/import-session';
import type { ImportListener, ImportOutcome } from '../worker/protocol';

/**
 * Work for a fresh capture session other than reading one file or URL:
 * opening a saved dataset, adding captures to it, removing one. The
 * capture hook runs it as it runs an import, so the page shows its
 * progress and its result the same way.
 */
export interface SessionTask {
  kind: 'session-task';
  /** Bytes the task reads, for the progress bar; 0 where unknown. */
  bytesTotal: number;
  run(worker: ImportSession, listener: ImportListener): Promise<ImportOutcome>;
}

export function isSessionTask(source: object): source is SessionTask {
  return (source as Partial<SessionTask>).kind === 'session-task';
}
