import { columnBuffers, copyColumns } from './column-buffers';
import type { FlowColumns } from '@capscope/analytics/flow-table';
import { mergeFlows } from '@capscope/analytics/merge';
import type { Problem } from '@capscope/parser/problems';
import { transfer } from 'comlink';
import {
  isQuotaError,
  openStore,
  StoreError,
  toStoreError,
} from '../store/database';
import {
  commitDataset,
  deleteDataset,
  dropParts,
  newDatasetId,
  putDataset,
  withDatasetLock,
} from '../store/datasets';
import {
  readPart,
  readProblems,
  writeCapture,
  writePart,
  writeProblems,
  type LoadedFlows,
  type StoredFlows,
} from '../store/parts';
import type {
  CapscopeDb,
  DatasetRecord,
  PartRecord,
  SourceRecord,
} from '../store/schema';
import { sourceLabel, sourceName } from '../store/source-label';
import type {
  DatasetApi,
  SaveOutcome,
  SaveRequest,
} from './dataset-protocol';
import type {
  CaptureFigures,
  ImportError,
  ImportOutcome,
  ImportResult,
} from './protocol';
import type { WorkerDataset, WorkerState } from './state';

const TCP = 6;
const UDP = 17;

/**
 * Datasets over the worker's state: saving the capture it imported,
 * loading a saved one into it, adding and removing captures. Every write
 * follows one order: the record first (marked incomplete for a new
 * dataset), then the chunks, then one last transaction that makes them
 * count, so a tab closed half way leaves the earlier state or a dataset
 * that says it is incomplete.
 */
export function createDatasetApi(state: WorkerState): DatasetApi {
  /** The flows this API put into the state; anything else is an import. */
  let loaded: WorkerDataset | null = null;

  /** The capture just imported, as a part stores it. */
  function imported(): StoredFlows {
    const dataset = state.dataset;
    if (!dataset || dataset === loaded || !dataset.keyPorts) {
      throw new StoreError('failed', 'There is no imported capture to keep.');
    }
    return {
      columns: dataset.columns,
      keyPorts: dataset.keyPorts,
      names: dataset.names,
      addressNames: dataset.addressNames,
    };
  }

  /** Puts a dataset's flows into the state; answers as an import does. */
  async function show(
    db: CapscopeDb,
    record: DatasetRecord,
    flows: LoadedFlows,
    read?: { bytesRead: number; bytesTotal: number },
  ): Promise<ImportOutcome> {
    const problems = await datasetProblems(db, record);
    loaded = {
      columns: flows.columns,
      names: [...flows.names],
      addressNames: flows.addressNames,
      timeDigits: record.timeDigits,
      countries: null,
      keyPorts: flows.keyPorts ?? undefined,
    };
    state.dataset = loaded;
    state.filter = null;

    const columns = copyColumns(flows.columns);
    const result: ImportResult = {
      ...resultSummary(record),
      ...read,
      problems,
      names: [...flows.names],
      columns,
      datasetId: record.id,
    };
    const outcome: ImportOutcome = { status: 'done', result };
    return transfer(outcome, columnBuffers(columns));
  }

  return {
    async saveDataset(request: SaveRequest): Promise<SaveOutcome> {
      const id = newDatasetId();
      const startMs = performance.now();
      try {
        const flows = imported();
        await withDatasetLock(id, async () => {
          const db = await openStore();
          const now = Date.now();
          const label = sourceLabel(request.label);
          const source = newSource(label, request, 's1', flows);
          const record: DatasetRecord = {
            id,
            layout: 1,
            name: sourceName(sourceLabel(request.name ?? label)),
            state: 'incomplete',
            created: now,
            lastOpened: now,
            sources: [source],
            merged: null,
            figures: request.summary.figures,
            timeDigits: request.summary.timeDigits,
            storedBytes: 0,
            nextPart: 2,
          };
          await putDataset(record);

          source.part = await writePart(db, id, 's1', flows);
          await writeProblems(db, id, 's1', request.problems);
          if (request.capture) {
            source.captureBytes = await writeCapture(db, id, 's1',
              request.capture);
          }
          record.storedBytes = storedBytes(record);
          record.state = 'complete';
          await putDataset(record, true);
        });
        console.info(`datasets: saved ${id}, ${flows.columns.count} flows ` +
          `in ${Math.round(performance.now() - startMs)} ms`);
        return { status: 'saved', datasetId: id };
      } catch (error) {
        await deleteQuietly(id);
        return { status: 'error', error: storeFailure(error) };
      }
    },

    async openDataset(datasetId: string): Promise<ImportOutcome> {
      const startMs = performance.now();
      try {
        const db = await openStore();
        const record = await completeRecord(db, datasetId);
        const flows = await readPart(db, datasetId, currentPart(record));
        record.lastOpened = Date.now();
        // Not waited for: not being able to note it loses nothing.
        void putDataset(record).catch(() => undefined);
        const outcome = await show(db, record, flows);
        console.info(`datasets: opened ${datasetId}, ${record.figures.flows} ` +
          `flows in ${Math.round(performance.now() - startMs)} ms`);
        return outcome;
      } catch (error) {
        return failed(error);
      }
    },

    async addSource(
      datasetId: string,
      request: SaveRequest,
    ): Promise<ImportOutcome> {
      const written: string[] = [];
      let committed = false;
      try {
        const flows = imported();
        return await withDatasetLock(datasetId, async () => {
          const db = await openStore();
          const record = await completeRecord(db, datasetId);
          const current = await readPart(db, datasetId, currentPart(record),
            true);
          const sourceId = `s${record.nextPart}`;
          const mergedId = `m${record.nextPart + 1}`;

          const label = sourceLabel(request.label);
          const source = newSource(label, request, sourceId, flows);
          written.push(sourceId);
          source.part = await writePart(db, datasetId, sourceId, flows);
          await writeProblems(db, datasetId, sourceId, request.problems);
          if (request.capture) {
            source.captureBytes = await writeCapture(db, datasetId, sourceId,
              request.capture);
          }

          const merged = mergedFlows([current, flows]);
          written.push(mergedId);
          const mergedPart = await writePart(db, datasetId, mergedId, merged);
          const next = nextRecord(record, [...record.sources, source],
            mergedPart, merged.columns, record.nextPart + 2);
          await commitDataset(next, record.merged ? [record.merged.id] : []);
          committed = true;
          // The progress line tells of the file just read, not them all.
          return show(db, next, merged, {
            bytesRead: request.summary.bytesRead,
            bytesTotal: request.fileBytes,
          });
        });
      } catch (error) {
        if (!committed) await dropParts(datasetId, written).catch(() => {});
        return failed(error);
      }
    },

    async removeSource(
      datasetId: string,
      partId: string,
    ): Promise<ImportOutcome> {
      let written: string | null = null;
      let committed = false;
      try {
        return await withDatasetLock(datasetId, async () => {
          const db = await openStore();
          const record = await completeRecord(db, datasetId);
          const removed = record.sources.find((s) => s.part.id === partId);
          const sources = record.sources.filter((s) => s !== removed);
          if (!removed || sources.length === 0) {
            throw new StoreError('failed', removed
              ? 'A dataset keeps at least one capture; delete the dataset ' +
                'instead.'
              : 'That capture is no longer in this dataset.');
          }

          // Merged afresh from what remains: the same flows as a dataset
          // made of those captures alone.
          const parts = await Promise.all(
            sources.map((s) => readPart(db, datasetId, s.part, true)),
          );
          let flows = parts[0];
          let mergedPart: PartRecord | null = null;
          let nextPart = record.nextPart;
          if (parts.length > 1) {
            flows = mergedFlows(parts);
            written = `m${nextPart++}`;
            mergedPart = await writePart(db, datasetId, written, flows);
          }
          const next = nextRecord(record, sources, mergedPart, flows.columns,
            nextPart);
          const dropped = [removed.part.id];
          if (record.merged) dropped.push(record.merged.id);
          await commitDataset(next, dropped);
          committed = true;
          return show(db, next, flows);
        });
      } catch (error) {
        if (written && !committed) {
          await dropParts(datasetId, [written]).catch(() => {});
        }
        return failed(error);
      }
    },
  };
}

function newSource(
  label: string,
  request: SaveRequest,
  partId: string,
  flows: StoredFlows,
): SourceRecord {
  return {
    label,
    fileBytes: request.fileBytes,
    added: Date.now(),
    summary: request.summary,
    part: {
      id: partId,
      flows: flows.columns.count,
      chunkFlows: 0,
      columns: [],
      bytes: 0,
    },
    captureBytes: 0,
  };
}

async function completeRecord(
  db: CapscopeDb,
  datasetId: string,
): Promise<DatasetRecord> {
  const record = await db.get('datasets', datasetId);
  if (!record) {
    throw new StoreError('missing',
      'This dataset is not in this browser (it may have been deleted).');
  }
  if (record.state !== 'complete') {
    throw new StoreError('missing',
      'This dataset was never finished: its import stopped before it ' +
        'was saved. Delete it from the list and open the capture again.');
  }
  return record;
}

/** The flows the dataset shows: the merge, or its only capture's. */
function currentPart(record: DatasetRecord): PartRecord {
  return record.merged ?? record.sources[0].part;
}

function mergedFlows(parts: StoredFlows[]): StoredFlows {
  const merged = mergeFlows(parts);
  const addressNames = new Map<string, string>();
  for (const part of parts) {
    for (const [address, name] of part.addressNames) {
      if (!addressNames.has(address)) addressNames.set(address, name);
    }
  }
  return { ...merged, addressNames };
}

function nextRecord(
  record: DatasetRecord,
  sources: SourceRecord[],
  merged: PartRecord | null,
  columns: FlowColumns,
  nextPart: number,
): DatasetRecord {
  const next: DatasetRecord = {
    ...record,
    sources,
    merged,
    nextPart,
    lastOpened: Date.now(),
    figures: datasetFigures(sources, columns),
    timeDigits: Math.max(...sources.map((s) => s.summary.timeDigits)),
    storedBytes: 0,
  };
  next.storedBytes = storedBytes(next);
  return next;
}

function storedBytes(record: DatasetRecord): number {
  let bytes = record.merged?.bytes ?? 0;
  for (const source of record.sources) {
    bytes += source.part.bytes + source.captureBytes;
  }
  return bytes;
}

/** Totals of several captures over their merged flows. */
function datasetFigures(
  sources: SourceRecord[],
  columns: FlowColumns,
): CaptureFigures {
  if (sources.length === 1) return sources[0].summary.figures;
  let tcpFlows = 0;
  let udpFlows = 0;
  for (let flow = 0; flow < columns.count; flow++) {
    if (columns.protocol[flow] === TCP) tcpFlows++;
    else if (columns.protocol[flow] === UDP) udpFlows++;
  }
  const all = sources.map((s) => s.summary.figures);
  const times = (pick: (f: CaptureFigures) => string | null) =>
    all.map(pick).filter((t): t is string => t !== null)
      .sort((a, b) => comparableTime(a).localeCompare(comparableTime(b)));
  const firsts = times((f) => f.firstSeen);
  const lasts = times((f) => f.lastSeen);
  return {
    packets: sum(all.map((f) => f.packets)),
    bytes: sum(all.map((f) => f.bytes)),
    flows: columns.count,
    tcpFlows,
    udpFlows,
    firstSeen: firsts[0] ?? null,
    lastSeen: lasts.at(-1) ?? null,
    problemCount: sum(all.map((f) => f.problemCount)),
  };
}

/** RFC 3339 with nine fractional digits, so that text order is time order. */
function comparableTime(rfc3339: string): string {
  const match = /^(.*?:\d\d)(?:\.(\d+))?Z$/.exec(rfc3339);
  if (!match) return rfc3339;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z`;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Everything of an import result that the record holds. */
function resultSummary(
  record: DatasetRecord,
): Omit<ImportResult, 'problems' | 'names' | 'columns'> {
  const sources = record.sources;
  const several = sources.length > 1;
  const damaged = sources.find((s) => s.summary.damage !== null);
  const damage = damaged?.summary.damage ?? null;
  return {
    bytesRead: sum(sources.map((s) => s.summary.bytesRead)),
    bytesTotal: sum(sources.map((s) => s.fileBytes)),
    format: sources[0].summary.format,
    // One capture's properties; several captures have no one set of them.
    ...(several ? {} : {
      formatVersion: sources[0].summary.formatVersion,
      interfaces: sources[0].summary.interfaces,
    }),
    linkTypes: [...new Set(sources.flatMap((s) => s.summary.linkTypes))],
    figures: record.figures,
    damage: damage && several
      ? { ...damage, message: `${sourceName(damaged!.label)}: ${damage.message}` }
      : damage,
    timeDigits: record.timeDigits,
  };
}

/** Every source's problems; with several sources, each names its capture. */
async function datasetProblems(
  db: CapscopeDb,
  record: DatasetRecord,
): Promise<Problem[]> {
  const lists = await Promise.all(
    record.sources.map((s) => readProblems(db, record.id, s.part.id)),
  );
  if (record.sources.length === 1) return lists[0];
  return lists.flatMap((problems, i) => {
    const name = sourceName(record.sources[i].label);
    return problems.map((p) => ({ ...p, message: `${name}: ${p.message}` }));
  });
}

async function deleteQuietly(datasetId: string): Promise<void> {
  try {
    await deleteDataset(datasetId);
  } catch {
    // The list offers to delete what is left, marked incomplete.
  }
}

function failed(error: unknown): ImportOutcome {
  return { status: 'error', error: storeFailure(error), bytesRead: 0 };
}

/** A store failure as the page shows it; quota gets its own kind. */
function storeFailure(error: unknown): ImportError {
  if (isQuotaError(error)) {
    return {
      kind: 'storage-full',
      message:
        'The browser has no room left to keep this capture, so nothing ' +
        'of it was saved; your other datasets are untouched. Delete ' +
        'datasets you no longer need from the start page, then try again.',
    };
  }
  const failure = toStoreError(error);
  return { kind: 'storage', message: failure.message };
}
