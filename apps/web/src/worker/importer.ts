import { columnBuffers } from './column-buffers';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { FlowColumns } from '@capscope/analytics/flow-table';
import { releaseProxy, transfer, type Remote } from 'comlink';
import { toImportError, type ChunkSource } from './chunk-source';
import { describeDamage } from './damage';
import { fileSource } from './file-source';
import { captureFigures, ProtocolTally } from './figures';
import { FlowSnapshots } from './flow-snapshots';
import type {
  FlowSortKey,
  ImportError,
  ImporterApi,
  ImportListener,
  ImportOutcome,
  ImportProgress,
  UrlImporterApi,
} from './protocol';
import { sortFlows } from './sort-flows';
import type { WorkerState } from './state';
import { urlSource } from './url-source';

/** Ten updates a second look smooth; more only cost the page renders. */
const PROGRESS_INTERVAL_MS = 100;
/** Totals twice a second, so figures grow while a big file loads. */
const PARTIAL_INTERVAL_MS = 500;

/**
 * Reads one capture into a CaptureAnalysis and keeps it, so that the page
 * can ask for the flows in another order afterwards.
 */
export class Importer implements ImporterApi, UrlImporterApi {
  constructor(private readonly state: WorkerState) {}

  importFile(
    file: Blob,
    listener: Remote<ImportListener>,
  ): Promise<ImportOutcome> {
    return this.#read(fileSource(file), listener);
  }

  importUrl(
    href: string,
    listener: Remote<ImportListener>,
  ): Promise<ImportOutcome> {
    return this.#read(urlSource(href, self.location.origin), listener);
  }

  /**
   * The one import loop, over any source's chunks. A `#` method, so that
   * import.worker.ts's bind() does not expose it to the page.
   */
  async #read(
    source: ChunkSource,
    listener: Remote<ImportListener>,
  ): Promise<ImportOutcome> {
    const analysis = new CaptureAnalysis();
    const tally = new ProtocolTally();
    let lastProgressMs = performance.now();
    let lastPartialMs = lastProgressMs;
    const snapshots = new FlowSnapshots(analysis, tally, listener,
      lastProgressMs);

    const { chunks } = source;
    let readFailure: unknown = null;
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
        if (analysis.stopped) break;

        const nowMs = performance.now();
        if (nowMs - lastProgressMs >= PROGRESS_INTERVAL_MS) {
          lastProgressMs = nowMs;
          void listener.progress(source.progress());
        }
        if (nowMs - lastPartialMs >= PARTIAL_INTERVAL_MS) {
          lastPartialMs = nowMs;
          void listener.partial(captureFigures(analysis, tally));
        }
        snapshots.offer(nowMs);
      }

      if (readFailure !== null && analysis.info === null) {
        return failed(source.describeFailure(readFailure), source.progress());
      }
      analysis.end();
      await analysis.finish();
    } catch (error) {
      snapshots.salvage();
      return failed(toImportError(error), source.progress());
    } finally {
      // Stops reads still in flight once we stop early.
      await chunks.return(undefined);
      listener[releaseProxy]();
    }

    const figures = captureFigures(analysis, tally);
    const { bytesRead, bytesTotal } = source.progress();
    const damage =
      readFailure !== null
        ? source.describeFailure(readFailure, {
            bytesRead,
            packets: figures.packets,
          })
        : describeDamage(analysis.problems, analysis.stopped, figures.packets);
    const columns = analysis.columns();
    this.state.dataset = {
      columns: analysis.flows.columns,
      names: analysis.names,
      addressNames: analysis.addressNames,
      dnsNames: analysis.dnsNames,
      timeDigits: analysis.totals.timeDigits,
      countries: null,
      keyPorts: analysis.flows.keyPorts(),
      hierarchy: analysis.hierarchy.nodes(),
      activity: analysis.activity.snapshot(),
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
        format: analysis.info?.format ?? null,
        formatVersion: analysis.info?.version ?? '',
        interfaces: analysis.interfaces.map((i) => ({ ...i })),
        linkTypes: [...new Set(analysis.interfaces.map((i) => i.linkType))],
        figures,
        problems: analysis.problems,
        damage,
        timeDigits: analysis.totals.timeDigits,
        names: [...analysis.names],
        columns,
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

