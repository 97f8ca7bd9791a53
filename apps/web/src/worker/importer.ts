import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { FlowColumns } from '@capscope/analytics/flow-table';
import { NotACaptureError } from '@capscope/parser/problems';
import { releaseProxy, transfer, type Remote } from 'comlink';
import { describeBrokenGzip, describeDamage } from './damage';
import { captureFigures, ProtocolTally } from './figures';
import type {
  FlowSortKey,
  ImportError,
  ImporterApi,
  ImportListener,
  ImportOutcome,
} from './protocol';
import { isGzip, readGzip, readSlices } from './read-file';
import { sortFlows } from './sort-flows';
import type { WorkerState } from './state';

/** Ten updates a second look smooth; more only cost the page renders. */
const PROGRESS_INTERVAL_MS = 100;
/** Totals twice a second, so figures grow while a big file loads. */
const PARTIAL_INTERVAL_MS = 500;
/** Enough of an unexpected error's text to report it, not a wall of it. */
const MAX_INTERNAL_MESSAGE_CHARS = 200;

/**
 * Reads one capture into a CaptureAnalysis and keeps it, so that the page
 * can ask for the flows in another order afterwards.
 */
export class Importer implements ImporterApi {
  constructor(private readonly state: WorkerState) {}

  async importFile(
    file: Blob,
    listener: Remote<ImportListener>,
  ): Promise<ImportOutcome> {
    const analysis = new CaptureAnalysis();
    const tally = new ProtocolTally();
    const bytesTotal = file.size;
    let bytesRead = 0;
    let lastProgressMs = performance.now();
    let lastPartialMs = lastProgressMs;

    let chunks: AsyncGenerator<Uint8Array> | null = null;
    let gzip = false;
    let readFailure: unknown = null;
    try {
      gzip = await isGzip(file);
      chunks = gzip
        ? readGzip(file, (compressedBytes) => (bytesRead = compressedBytes))
        : readSlices(file);

      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await chunks.next();
        } catch (error) {
          readFailure = error;
          break;
        }
        if (next.done) break;
        if (!gzip) bytesRead += next.value.byteLength;

        analysis.push(next.value);
        if (analysis.stopped) break;

        const nowMs = performance.now();
        if (nowMs - lastProgressMs >= PROGRESS_INTERVAL_MS) {
          lastProgressMs = nowMs;
          void listener.progress({ bytesRead, bytesTotal });
        }
        if (nowMs - lastPartialMs >= PARTIAL_INTERVAL_MS) {
          lastPartialMs = nowMs;
          void listener.partial(captureFigures(analysis, tally));
        }
      }

      if (readFailure !== null && analysis.info === null) {
        return failed(readError(readFailure, gzip), bytesRead);
      }
      analysis.end();
      await analysis.finish();
    } catch (error) {
      // A DOMException here is the first read failing (isGzip).
      const failure =
        error instanceof DOMException
          ? readError(error, false)
          : toImportError(error);
      return failed(failure, bytesRead);
    } finally {
      // Stops reads still in flight once we stop early.
      await chunks?.return(undefined);
      listener[releaseProxy]();
    }

    const figures = captureFigures(analysis, tally);
    const damage =
      readFailure !== null
        ? readError(readFailure, gzip, { bytesRead, packets: figures.packets })
        : describeDamage(analysis.problems, analysis.stopped, figures.packets);
    const columns = analysis.columns();
    this.state.dataset = {
      columns: analysis.flows.columns,
      names: analysis.names,
      addressNames: analysis.addressNames,
      timeDigits: analysis.totals.timeDigits,
      countries: null,
    };
    this.state.filter = null;

    const outcome: ImportOutcome = {
      status: 'done',
      result: {
        bytesRead,
        format: analysis.info?.format ?? null,
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
    const order = dataset
      ? sortFlows(dataset.columns, dataset.columns.count, key, descending,
          dataset.names)
      : new Uint32Array(0);
    return transfer(order, [order.buffer]);
  }
}

function failed(error: ImportError, bytesRead: number): ImportOutcome {
  return { status: 'error', error, bytesRead };
}

/** Every typed array of a snapshot owns its buffer, so all can move. */
function columnBuffers(columns: FlowColumns): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const value of Object.values(columns)) {
    if (ArrayBuffer.isView(value)) buffers.push(value.buffer as ArrayBuffer);
  }
  return buffers;
}

/**
 * A read that failed. With `kept` (what was decoded before it) the failure
 * is damage to a capture shown anyway; without, the import failed.
 */
function readError(
  error: unknown,
  gzip: boolean,
  kept?: { bytesRead: number; packets: number },
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

function toImportError(error: unknown): ImportError {
  if (error instanceof NotACaptureError) {
    return { kind: error.kind, message: error.message };
  }
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0].slice(0, MAX_INTERNAL_MESSAGE_CHARS);
  return {
    kind: 'internal',
    message: `Capscope failed while reading this file (${firstLine}).`,
  };
}
