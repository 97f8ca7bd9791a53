import { columnBuffers, copyColumns } from './column-buffers';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { AnalysisResult } from '@capscope/analytics/analysis-result';
import type { KernelChoice } from '@capscope/analytics/kernel-choice';
import { mergeParts } from '@capscope/analytics/partition-merge';
import { releaseProxy, transfer, type Remote } from 'comlink';
import { toImportError, type ChunkSource } from './chunk-source';
import { describeDamage } from './damage';
import { fileSource } from './file-source';
import { recordLoopFor } from './kernel';
import { captureFigures, ProtocolTally, resultFigures } from './figures';
import { FlowSnapshots } from './flow-snapshots';
import type {
  FlowSortKey,
  ImportError,
  ImportOptions,
  ImporterApi,
  ImportListener,
  ImportOutcome,
  ImportProgress,
  UrlImporterApi,
} from './protocol';
import { ShareWorkers } from './shares';
import { sortFlows } from './sort-flows';
import type { WorkerState } from './state';
import { urlSource } from './url-source';

/** Ten updates a second look smooth; more only cost the page renders. */
const PROGRESS_INTERVAL_MS = 100;
/** Totals twice a second, so figures grow while a big file loads. */
const PARTIAL_INTERVAL_MS = 500;
/**
 * Files smaller than this are read by one worker: one reads them in well
 * under a second, and starting more (some 30 ms each) would not pay.
 */
const SHARED_IMPORT_MIN_BYTES = 256 * 1024 * 1024;
/** More workers than this only compete for memory bandwidth. */
const MAX_IMPORT_WORKERS = 8;

/**
 * Reads one capture into a CaptureAnalysis and keeps it, so that the page
 * can ask for the flows in another order afterwards.
 */
export class Importer implements ImporterApi, UrlImporterApi {
  constructor(private readonly state: WorkerState) {}

  /**
   * Reads a local file, sharing its flows among `options.workers` workers
   * when it is big enough (or `options.exactWorkers` whatever its size).
   * This worker reads the file once and sends the others every byte.
   */
  async importFile(
    file: Blob,
    listener: Remote<ImportListener>,
    options: ImportOptions = {},
  ): Promise<ImportOutcome> {
    try {
      const wanted = options.exactWorkers ??
        (file.size >= SHARED_IMPORT_MIN_BYTES ? options.workers ?? 1 : 1);
      const count = Math.max(1, Math.min(MAX_IMPORT_WORKERS, wanted));
      const kernel = options.kernel ?? 'decoder';
      if (count > 1) {
        const shares = new ShareWorkers(count, kernel);
        const outcome = await this.#read(fileSource(file), listener, kernel,
          shares);
        if (outcome) return outcome;
        // A share's worker failed: one worker reads the file again.
      }
      return (await this.#read(fileSource(file), listener,
        kernel)) as ImportOutcome;
    } finally {
      listener[releaseProxy]();
    }
  }

  async importUrl(
    href: string,
    listener: Remote<ImportListener>,
  ): Promise<ImportOutcome> {
    try {
      const source = urlSource(href, self.location.origin);
      return (await this.#read(source, listener, 'decoder')) as ImportOutcome;
    } finally {
      listener[releaseProxy]();
    }
  }

  /**
   * The one import loop, over any source's chunks. A `#` method, so that
   * import.worker.ts's bind() does not expose it to the page.
   */
  async #read(
    source: ChunkSource,
    listener: Remote<ImportListener>,
    kernel: KernelChoice,
    shares: ShareWorkers | null = null,
  ): Promise<ImportOutcome | null> {
    // A kernel that cannot be loaded leaves the reading to the decoder,
    // which gives the same result; the properties say which one read.
    const recordLoop = await recordLoopFor(kernel).catch(() => undefined);
    const used: KernelChoice = recordLoop ? kernel : 'decoder';
    const analysis = new CaptureAnalysis({
      partition: { index: 0, count: shares?.count ?? 1 },
      recordLoop,
    });
    const tally = new ProtocolTally();
    let lastProgressMs = performance.now();
    let lastPartialMs = lastProgressMs;
    const snapshots = new FlowSnapshots(analysis, tally, listener,
      lastProgressMs);

    const { chunks } = source;
    let readFailure: unknown = null;
    let result: AnalysisResult;
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await chunks.next();
        } catch (error) {
          readFailure = error;
          break;
        }
        if (next.done) break;

        analysis.push(next.value);
        // The shares see what this worker saw, up to where it stopped. A
        // share's worker that failed: one worker reads the file again.
        if (shares && !(await shares.feed(next.value).then(() => true,
          () => false))) {
          shares.end();
          return null;
        }
        if (analysis.stopped) break;

        const nowMs = performance.now();
        if (nowMs - lastProgressMs >= PROGRESS_INTERVAL_MS) {
          lastProgressMs = nowMs;
          void listener.progress(source.progress());
        }
        if (nowMs - lastPartialMs >= PARTIAL_INTERVAL_MS) {
          lastPartialMs = nowMs;
          const figures = captureFigures(analysis, tally);
          void listener.partial(shares?.withSharedFlows(figures) ?? figures);
        }
        snapshots.offer(nowMs);
      }

      if (readFailure !== null && analysis.info === null) {
        shares?.end();
        return failed(source.describeFailure(readFailure), source.progress());
      }
      const cut = readFailure !== null;
      analysis.end(cut);
      await analysis.finish();
      if (shares) {
        const parts = await shares.results(cut).catch(() => null);
        if (!parts) return null;
        result = mergeParts([analysis.part(), ...parts]);
      } else {
        result = analysis.result();
      }
    } catch (error) {
      shares?.end();
      snapshots.salvage();
      return failed(toImportError(error), source.progress());
    } finally {
      // Stops reads still in flight once we stop early.
      await chunks.return(undefined);
    }

    const figures = resultFigures(result);
    const { bytesRead, bytesTotal } = source.progress();
    const damage =
      readFailure !== null
        ? source.describeFailure(readFailure, {
            bytesRead,
            packets: figures.packets,
          })
        : describeDamage(result.problems, result.stopped, figures.packets);
    const columns = copyColumns(result.columns);
    this.state.dataset = {
      columns: result.columns,
      names: result.names,
      addressNames: result.addressNames,
      dnsNames: result.dnsNames,
      timeDigits: result.totals.timeDigits,
      countries: null,
      keyPorts: result.keyPorts,
      hierarchy: result.hierarchy,
      activity: result.activity,
      totals: {
        packets: figures.packets,
        bytes: figures.bytes,
        firstSeen: figures.firstSeen,
        lastSeen: figures.lastSeen,
      },
    };
    this.state.filter = null;

    const outcome: ImportOutcome = {
      status: 'done',
      result: {
        bytesRead,
        bytesTotal,
        format: result.info?.format ?? null,
        formatVersion: result.info?.version ?? '',
        interfaces: result.interfaces.map((i) => ({ ...i })),
        linkTypes: [...new Set(result.interfaces.map((i) => i.linkType))],
        figures,
        problems: result.problems,
        damage,
        timeDigits: result.totals.timeDigits,
        names: [...result.names],
        columns,
        workers: shares?.count ?? 1,
        kernel: used,
      },
    };
    return transfer(outcome, columnBuffers(columns));
  }

  sortFlows(key: FlowSortKey, descending: boolean): Uint32Array {
    const dataset = this.state.dataset;
    const kept = this.state.filter?.matches ?? null;
    const order = dataset
      ? sortFlows(dataset.columns, dataset.columns.count, key, descending,
          dataset.names, kept)
      : new Uint32Array(0);
    return transfer(order, [order.buffer]);
  }
}

function failed(
  error: ImportError,
  { bytesRead, bytesTotal }: ImportProgress,
): ImportOutcome {
  return { status: 'error', error, bytesRead, bytesTotal };
}

