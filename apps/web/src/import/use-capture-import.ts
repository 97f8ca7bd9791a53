import type { Remote } from 'comlink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { isSessionTask, type SessionTask } from '../datasets/session-task';
import type {
  CaptureFigures,
  FlowSnapshot,
  FlowSortKey,
  ImportErrorKind,
  ImportProgress,
  ImportResult,
  WorkerApi,
} from '../worker/protocol';
import { ImportSession, SpareWorker } from './import-session';
import type { CorsAdvice } from './url/errors';
import type { UrlImportRequest } from './url/open-url';

/** What can go wrong before a file reaches the worker, or inside it. */
export type PageErrorKind =
  | ImportErrorKind
  | 'network'
  | 'not-found'
  /** The worker itself died (crashed, or ran out of memory). */
  | 'crashed';

export interface PageError {
  kind: PageErrorKind;
  message: string;
  /** For a URL the browser kept from the page: the CORS rule to add. */
  cors?: CorsAdvice;
}

export type ImportState =
  | { phase: 'idle' }
  | {
      phase: 'running';
      fileName: string;
      progress: ImportProgress;
      figures: CaptureFigures | null;
    }
  | {
      phase: 'done';
      fileName: string;
      progress: ImportProgress;
      result: ImportResult;
      /** Identifies this capture; a table keyed by it starts afresh. */
      sessionId: number;
      /** A URL's address without its query, for a dataset to keep. */
      sourceUrl?: string;
    }
  | {
      phase: 'error';
      fileName: string;
      progress: ImportProgress;
      error: PageError;
      /** The flows found before the failure, when the import got that far. */
      partial?: FlowSnapshot | null;
      /** True when importing the same source again may well succeed. */
      retryable?: boolean;
    }
  | { phase: 'cancelled'; fileName: string; progress: ImportProgress };

export interface CaptureImport {
  state: ImportState;
  /**
   * A file, a blob URL made ready by prepareUrlImport, or other work for a
   * fresh worker (a saved dataset: datasets/session-task.ts).
   */
  open(source: Blob | UrlImportRequest | SessionTask, fileName: string): void;
  cancel(): void;
  /** Shows a failure that happened before any import began. */
  fail(fileName: string, error: PageError): void;
  /** Flow indices in that order, or null when the capture has changed. */
  sortFlows(key: FlowSortKey, descending: boolean): Promise<Uint32Array | null>;
  /** The current capture's worker, for features beyond import; or null. */
  workerApi(): Remote<WorkerApi> | null;
  /**
   * Runs `work` on the current capture's worker, which then lives until
   * it is done even if another capture is opened; null without a capture.
   */
  keepWorking<T>(
    work: (api: Remote<WorkerApi>) => Promise<T>,
  ): Promise<T> | null;
  /** Ends the current capture and goes back to the start page. */
  close(): void;
  /** Imports the last source opened again, in a new worker. */
  retry(): void;
}

/**
 * Runs one import at a time: opening a file ends the previous capture's
 * worker, so a late answer from it can never reach the page.
 */
export function useCaptureImport(): CaptureImport {
  const [state, setState] = useState<ImportState>({ phase: 'idle' });
  const session = useRef<{ id: number; worker: ImportSession } | null>(null);
  const nextId = useRef(1);
  const lastOpened = useRef<{
    source: Blob | UrlImportRequest | SessionTask;
    fileName: string;
  } | null>(null);

  const endSession = useCallback(() => {
    session.current?.worker.end();
    session.current = null;
  }, []);

  useEffect(() => endSession, [endSession]);

  // On the start page a worker is made ready for whatever opens next.
  const spare = useRef<SpareWorker | null>(null);
  useEffect(() => {
    if (state.phase !== 'idle') return;
    spare.current ??= new SpareWorker();
  }, [state.phase]);
  useEffect(() => () => {
    spare.current?.end();
    spare.current = null;
  }, []);

  const open = useCallback(
    (source: Blob | UrlImportRequest | SessionTask, fileName: string) => {
      endSession();
      const id = nextId.current++;
      const isCurrent = () => session.current?.id === id;
      // A download's size comes with its first answer.
      const knownTotal =
        source instanceof Blob
          ? source.size
          : isSessionTask(source)
            ? source.bytesTotal
            : 0;
      let progress: ImportProgress = { bytesRead: 0, bytesTotal: knownTotal };
      let snapshot: FlowSnapshot | null = null;
      lastOpened.current = { source, fileName };

      const ready = spare.current?.take();
      spare.current = null;
      const worker = new ImportSession((message) => {
        if (!isCurrent()) return;
        endSession();
        setState({
          phase: 'error',
          fileName,
          progress,
          error: {
            kind: 'crashed',
            message: `Capscope's import worker stopped (${message}).`,
          },
          partial: snapshot,
          retryable: true,
        });
      }, ready);
      session.current = { id, worker };
      setState({ phase: 'running', fileName, progress, figures: null });

      const listener = {
        progress(next: ImportProgress) {
          if (!isCurrent()) return;
          progress = next;
          setState((previous) =>
            previous.phase === 'running' ? { ...previous, progress } : previous,
          );
        },
        partial(figures: CaptureFigures) {
          if (!isCurrent()) return;
          setState((previous) =>
            previous.phase === 'running' ? { ...previous, figures } : previous,
          );
        },
        flows(next: FlowSnapshot) {
          if (isCurrent()) snapshot = next;
        },
      };

      const importing =
        source instanceof Blob
          ? worker.importFile(source, listener)
          : isSessionTask(source)
            ? source.run(worker, listener)
            : worker.importUrl(source.href, listener);
      importing.then(
        (outcome) => {
          if (!isCurrent()) return;
          if (outcome.status === 'done') {
            const { result } = outcome;
            setState({
              phase: 'done',
              fileName,
              progress: {
                bytesRead: result.bytesRead,
                bytesTotal: result.bytesTotal ?? knownTotal,
              },
              result,
              sessionId: id,
              sourceUrl: 'withoutQuery' in source
                ? source.withoutQuery
                : undefined,
            });
          } else {
            endSession();
            setState({
              phase: 'error',
              fileName,
              progress: {
                bytesRead: outcome.bytesRead,
                bytesTotal: outcome.bytesTotal ?? knownTotal,
              },
              error: outcome.error,
              partial: snapshot,
              retryable: outcome.error.kind === 'internal',
            });
          }
        },
        (error: unknown) => {
          if (!isCurrent()) return;
          endSession();
          setState({
            phase: 'error',
            fileName,
            progress,
            error: {
              kind: 'internal',
              message: `Capscope failed while importing (${shortText(error)}).`,
            },
            partial: snapshot,
            retryable: true,
          });
        },
      );
    },
    [endSession],
  );

  const cancel = useCallback(() => {
    endSession();
    setState((previous) =>
      previous.phase === 'running'
        ? {
            phase: 'cancelled',
            fileName: previous.fileName,
            progress: previous.progress,
          }
        : previous,
    );
  }, [endSession]);

  const fail = useCallback(
    (fileName: string, error: PageError) => {
      endSession();
      setState({
        phase: 'error',
        fileName,
        progress: { bytesRead: 0, bytesTotal: 0 },
        error,
      });
    },
    [endSession],
  );

  const sortFlows = useCallback(
    async (key: FlowSortKey, descending: boolean) => {
      const current = session.current;
      if (!current) return null;
      const order = await current.worker.sortFlows(key, descending);
      return session.current === current ? order : null;
    },
    [],
  );

  const workerApi = useCallback(() => session.current?.worker.api ?? null, []);
  const keepWorking = useCallback(
    <T,>(work: (api: Remote<WorkerApi>) => Promise<T>) =>
      session.current?.worker.finish(work) ?? null,
    [],
  );

  const close = useCallback(() => {
    endSession();
    setState({ phase: 'idle' });
  }, [endSession]);

  const retry = useCallback(() => {
    const last = lastOpened.current;
    if (last) open(last.source, last.fileName);
  }, [open]);

  return {
    state,
    open,
    cancel,
    fail,
    sortFlows,
    workerApi,
    keepWorking,
    close,
    retry,
  };
}

function shortText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}
