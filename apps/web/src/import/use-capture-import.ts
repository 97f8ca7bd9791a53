import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  CaptureFigures,
  FlowSortKey,
  ImportErrorKind,
  ImportProgress,
  ImportResult,
} from '../worker/protocol';
import { ImportSession } from './import-session';

/** What can go wrong before a file reaches the worker, or inside it. */
export type PageErrorKind = ImportErrorKind | 'network' | 'not-found';

export interface PageError {
  kind: PageErrorKind;
  message: string;
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
    }
  | {
      phase: 'error';
      fileName: string;
      progress: ImportProgress;
      error: PageError;
    }
  | { phase: 'cancelled'; fileName: string; progress: ImportProgress };

export interface CaptureImport {
  state: ImportState;
  open(file: Blob, fileName: string): void;
  cancel(): void;
  /** Shows a failure that happened before any import began. */
  fail(fileName: string, error: PageError): void;
  /** Flow indices in that order, or null when the capture has changed. */
  sortFlows(key: FlowSortKey, descending: boolean): Promise<Uint32Array | null>;
}

/**
 * Runs one import at a time: opening a file ends the previous capture's
 * worker, so a late answer from it can never reach the page.
 */
export function useCaptureImport(): CaptureImport {
  const [state, setState] = useState<ImportState>({ phase: 'idle' });
  const session = useRef<{ id: number; worker: ImportSession } | null>(null);
  const nextId = useRef(1);

  const endSession = useCallback(() => {
    session.current?.worker.end();
    session.current = null;
  }, []);

  useEffect(() => endSession, [endSession]);

  const open = useCallback(
    (file: Blob, fileName: string) => {
      endSession();
      const id = nextId.current++;
      const isCurrent = () => session.current?.id === id;
      let progress: ImportProgress = { bytesRead: 0, bytesTotal: file.size };

      const worker = new ImportSession((message) => {
        if (!isCurrent()) return;
        endSession();
        setState({
          phase: 'error',
          fileName,
          progress,
          error: {
            kind: 'internal',
            message: `Capscope's import worker stopped (${message}).`,
          },
        });
      });
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
      };

      worker.importFile(file, listener).then(
        (outcome) => {
          if (!isCurrent()) return;
          if (outcome.status === 'done') {
            const { result } = outcome;
            setState({
              phase: 'done',
              fileName,
              progress: { bytesRead: result.bytesRead, bytesTotal: file.size },
              result,
              sessionId: id,
            });
          } else {
            endSession();
            setState({
              phase: 'error',
              fileName,
              progress: { bytesRead: outcome.bytesRead, bytesTotal: file.size },
              error: outcome.error,
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

  return { state, open, cancel, fail, sortFlows };
}

function shortText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}
