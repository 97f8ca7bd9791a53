import { proxy, wrap, type Remote } from 'comlink';
import type {
  FlowSortKey,
  ImportListener,
  ImportOutcome,
  WorkerApi,
} from '../worker/protocol';
import { importOptions } from './import-workers';

/**
 * One capture's worker: it imports the file, then answers for its flows.
 * Ending the session terminates the worker, which is also how an import
 * is cancelled: nothing of it runs on.
 */
export class ImportSession {
  private readonly worker: Worker;
  /** The worker's whole API, for features beyond import. */
  readonly api: Remote<WorkerApi>;
  private ended = false;
  /** Work the worker finishes even after the session ends (a save). */
  private readonly finishing = new Set<Promise<unknown>>();

  /**
   * `onCrash` hears of a worker that died or never started; `worker` is
   * one started ahead (SpareWorker), or a new one is started here.
   */
  constructor(onCrash: (message: string) => void, worker = startWorker()) {
    this.worker = worker;
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (!this.ended) onCrash(event.message || 'the worker failed to start');
    });
    this.worker.addEventListener('messageerror', () => {
      if (!this.ended) onCrash('a message from the worker could not be read');
    });
    this.api = wrap<WorkerApi>(this.worker);
  }

  importFile(file: Blob, listener: ImportListener): Promise<ImportOutcome> {
    return this.api.importFile(file, proxy(listener), importOptions());
  }

  /** The SAS token in `href` goes to the worker and nowhere else. */
  importUrl(href: string, listener: ImportListener): Promise<ImportOutcome> {
    return this.api.importUrl(href, proxy(listener));
  }

  sortFlows(key: FlowSortKey, descending: boolean): Promise<Uint32Array> {
    return this.api.sortFlows(key, descending);
  }

  /**
   * Runs `work` on the worker and lets it finish: ending the session then
   * terminates the worker only once `work` has settled, so that a dataset
   * being saved is not cut short when the page moves on.
   */
  finish<T>(work: (api: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    const promise = work(this.api);
    this.finishing.add(promise);
    const forget = () => this.finishing.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.finishing.size === 0) {
      this.worker.terminate();
      return;
    }
    void Promise.allSettled([...this.finishing]).then(() =>
      this.worker.terminate());
  }
}

function startWorker(): Worker {
  return new Worker(new URL('../worker/import.worker.ts', import.meta.url),
    { type: 'module' });
}

/**
 * A worker started while the page waits (the start page), so that the
 * next capture or dataset opened finds its modules loaded: starting one
 * costs some 30 ms before it can answer. One that failed to start is
 * not handed on; the session then starts its own and reports that one.
 */
export class SpareWorker {
  private worker: Worker | null = startWorker();
  private readonly onError = (event: Event) => {
    event.preventDefault();
    this.end();
  };

  constructor() {
    this.worker?.addEventListener('error', this.onError);
  }

  /** The worker, for a session to own; undefined if it is gone. */
  take(): Worker | undefined {
    const worker = this.worker ?? undefined;
    worker?.removeEventListener('error', this.onError);
    this.worker = null;
    return worker;
  }

  end(): void {
    this.worker?.removeEventListener('error', this.onError);
    this.worker?.terminate();
    this.worker = null;
  }
}
