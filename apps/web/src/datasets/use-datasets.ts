import { useCallback, useEffect, useRef, useState } from 'react';
import { readHash, writeHash } from '../hash';
import type { ImportSession } from '../import/import-session';
import type { CaptureImport, PageError } from '../import/use-capture-import';
import { clearStore, toStoreError, type StoreErrorKind } from '../store/database';
import {
  datasetsBeingWritten,
  deleteDataset,
  getDataset,
  listDatasets,
  renameDataset,
  requestPersistence,
  storageFigures,
  sweepOrphans,
  type StorageFigures,
} from '../store/datasets';
import type { DatasetRecord } from '../store/schema';
import type { SaveOutcome, SaveRequest } from '../worker/dataset-protocol';
import type { ImportOutcome, ImportResult } from '../worker/protocol';
import type { SessionTask } from './session-task';

const KEEP_CAPTURES_KEY = 'capscope:keep-captures';
/** How often the list looks again while a dataset is being saved. */
const BUSY_REFRESH_MS = 1000;

export type SaveStatus = 'idle' | 'saving' | 'saved' | 'failed';

export interface StoreProblem {
  kind: StoreErrorKind;
  message: string;
}

export interface Datasets {
  /** Saved datasets, the most recently opened first; null while loading. */
  list: DatasetRecord[] | null;
  /** Ids of datasets a tab or worker is writing right now. */
  busy: ReadonlySet<string>;
  storage: StorageFigures | null;
  /** Why the store cannot be read, when it cannot. */
  storeProblem: StoreProblem | null;
  /** The dataset on screen, once it is saved or was opened. */
  current: DatasetRecord | null;
  saveStatus: SaveStatus;
  saveError: PageError | null;
  /** Keep captures' own bytes in their datasets too. */
  keepCaptures: boolean;
  setKeepCaptures(keep: boolean): void;
  /** Opens files as a new dataset: the first, then the others added. */
  openFiles(files: File[]): void;
  /** Adds files to the dataset on screen. */
  addFiles(files: File[]): void;
  openDataset(id: string): void;
  removeSource(partId: string): void;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** Deletes every dataset: the way out of a store this version can't read. */
  clearAll(): Promise<void>;
  /** Leaves the dataset on screen for the start page and its list. */
  showList(): void;
}

/**
 * The page's side of datasets: every capture imported is kept as a
 * dataset as soon as it is read, the address bar names the dataset on
 * screen (`#ds=`), and the start page lists what is kept.
 */
export function useDatasets(capture: CaptureImport): Datasets {
  const [list, setList] = useState<DatasetRecord[] | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [storage, setStorage] = useState<StorageFigures | null>(null);
  const [storeProblem, setStoreProblem] = useState<StoreProblem | null>(null);
  const [current, setCurrent] = useState<DatasetRecord | null>(null);
  const [saveStatus, setSaveStatus] = useState<SaveStatus>('idle');
  const [saveError, setSaveError] = useState<PageError | null>(null);
  const [keepCaptures, setKeep] = useState(
    () => readPreference(KEEP_CAPTURES_KEY),
  );

  /** The session whose result was last taken care of. */
  const handled = useRef(0);
  /** Files still to add to the dataset on screen, one at a time. */
  const queue = useRef<File[]>([]);
  /** The file of the import running now, kept if the user asked. */
  const importedFile = useRef<File | null>(null);
  /** True while the work running changes the dataset on screen. */
  const changing = useRef(false);
  const { open, close, keepWorking, state } = capture;

  const refresh = useCallback(async () => {
    try {
      const [records, writing, figures] = await Promise.all([
        listDatasets(),
        datasetsBeingWritten(),
        storageFigures(),
      ]);
      setList(records);
      setBusy(writing);
      setStorage(figures);
      setStoreProblem(null);
    } catch (error) {
      const failure = toStoreError(error);
      setList([]);
      setStoreProblem({ kind: failure.kind, message: failure.message });
      return;
    }
    // Leftovers of cut-short writes; failing to clear them loses nothing.
    await sweepOrphans().catch(() => undefined);
  }, []);

  const openDataset = useCallback(
    (id: string) => {
      void getDataset(id)
        .catch(() => null)
        .then((record) => {
          queue.current = [];
          importedFile.current = null;
          changing.current = false;
          open(datasetTask(record, (worker) => worker.api.openDataset(id)),
            record?.name ?? 'dataset');
        });
    },
    [open],
  );

  const addNext = useCallback(
    (datasetId: string) => {
      const file = queue.current.shift();
      if (!file) return;
      const keep = readPreference(KEEP_CAPTURES_KEY);
      changing.current = true;
      open({
        kind: 'session-task',
        bytesTotal: file.size,
        async run(worker, listener) {
          const imported = await worker.importFile(file, listener);
          if (imported.status !== 'done') return imported;
          return worker.api.addSource(datasetId,
            saveRequest(file.name, file.size, imported.result,
              keep ? file : null));
        },
      }, file.name);
    },
    [open],
  );

  // The capture on screen: answers about any other are not shown.
  const onScreen = useRef(0);
  useEffect(() => {
    onScreen.current = state.phase === 'done' ? state.sessionId : 0;
    // What comes next leaves the dataset, unless it is an add or removal.
    if (state.phase !== 'running') changing.current = false;
  }, [state]);

  // Another capture is being opened: the dataset on screen is left.
  useEffect(() => {
    if (state.phase !== 'running' || changing.current) return;
    setCurrent(null);
    setSaveStatus('idle');
    setSaveError(null);
  }, [state.phase]);

  // Every capture read is kept; a dataset opened is named in the address.
  useEffect(() => {
    if (state.phase !== 'done' || handled.current === state.sessionId) return;
    handled.current = state.sessionId;
    const sessionId = state.sessionId;
    const datasetId = state.result.datasetId;

    if (datasetId) {
      void getDataset(datasetId).then((record) => {
        if (onScreen.current !== sessionId) return;
        setCurrent(record);
        setSaveStatus('saved');
        setSaveError(null);
        showInAddress(datasetId);
        addNext(datasetId);
      });
      return;
    }

    const file = importedFile.current;
    importedFile.current = null;
    const keep = file !== null && readPreference(KEEP_CAPTURES_KEY);
    const request = saveRequest(state.sourceUrl ?? state.fileName,
      state.progress.bytesTotal, state.result, keep ? file : null);
    // The worker lives on until the save is done, whatever opens next.
    const saving = keepWorking<SaveOutcome>((api) =>
      api.saveDataset({ ...request, name: state.fileName }));
    if (!saving) return;
    setCurrent(null);
    setSaveStatus('saving');
    setSaveError(null);
    void saving.then(async (outcome) => {
      if (outcome.status === 'saved') void requestPersistence();
      // The list may be on screen already: it learns of a save from the
      // worker's lock, which a list drawn before the write began missed.
      void refresh();
      if (onScreen.current !== sessionId) return;
      if (outcome.status === 'error') {
        queue.current = [];
        setSaveStatus('failed');
        setSaveError(outcome.error);
        return;
      }
      const record = await getDataset(outcome.datasetId);
      if (onScreen.current !== sessionId) return;
      setCurrent(record);
      setSaveStatus('saved');
      showInAddress(outcome.datasetId);
      addNext(outcome.datasetId);
    });
  }, [state, keepWorking, addNext, refresh]);

  // The start page lists what is kept; `#ds=` at load opens that dataset.
  const started = useRef(false);
  useEffect(() => {
    if (state.phase === 'idle') void refresh();
  }, [state.phase, refresh]);
  useEffect(() => {
    if (state.phase !== 'idle' || busy.size === 0) return;
    const timer = setTimeout(() => void refresh(), BUSY_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [state.phase, busy, refresh]);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const { ds } = readHash();
    if (ds) openDataset(ds);
  }, [openDataset]);

  const openFiles = useCallback(
    (files: File[]) => {
      const [first, ...rest] = files;
      if (!first) return;
      queue.current = rest;
      importedFile.current = first;
      changing.current = false;
      open(first, first.name);
    },
    [open],
  );

  const addFiles = useCallback(
    (files: File[]) => {
      const id = current?.id;
      if (!id) return openFiles(files);
      queue.current = [...files];
      addNext(id);
    },
    [current, openFiles, addNext],
  );

  const removeSource = useCallback(
    (partId: string) => {
      const record = current;
      if (!record) return;
      queue.current = [];
      changing.current = true;
      open(datasetTask(record,
        (worker) => worker.api.removeSource(record.id, partId)), record.name);
    },
    [current, open],
  );

  const showList = useCallback(() => {
    queue.current = [];
    setCurrent(null);
    setSaveStatus('idle');
    setSaveError(null);
    writeHash({});
    close();
  }, [close]);

  const rename = useCallback(
    async (id: string, name: string) => {
      await renameDataset(id, name);
      if (current?.id === id) setCurrent({ ...current, name });
      await refresh();
    },
    [current, refresh],
  );

  const remove = useCallback(
    async (id: string) => {
      await deleteDataset(id);
      await refresh();
    },
    [refresh],
  );

  const clearAll = useCallback(async () => {
    await clearStore();
    await refresh();
  }, [refresh]);

  const setKeepCaptures = useCallback((keep: boolean) => {
    setKeep(keep);
    try {
      localStorage.setItem(KEEP_CAPTURES_KEY, keep ? '1' : '0');
    } catch {
      // Storage refused: the choice lasts for this page only.
    }
  }, []);

  return {
    list,
    busy,
    storage,
    storeProblem,
    current,
    saveStatus,
    saveError,
    keepCaptures,
    setKeepCaptures,
    openFiles,
    addFiles,
    openDataset,
    removeSource,
    rename,
    remove,
    clearAll,
    showList,
  };
}

/** A session task that answers from the store, with its size for progress. */
function datasetTask(
  record: DatasetRecord | null,
  run: (worker: ImportSession) => Promise<ImportOutcome>,
): SessionTask {
  const bytesTotal =
    record?.sources.reduce((sum, source) => sum + source.fileBytes, 0) ?? 0;
  return {
    kind: 'session-task',
    bytesTotal,
    async run(worker) {
      const outcome = await run(worker);
      // A dataset that is gone is not named in the address any more.
      if (outcome.status === 'error' && record === null) writeHash({});
      return outcome;
    },
  };
}

function saveRequest(
  label: string,
  fileBytes: number,
  result: ImportResult,
  capture: Blob | null,
): SaveRequest {
  return {
    label,
    fileBytes,
    summary: {
      bytesRead: result.bytesRead,
      format: result.format,
      formatVersion: result.formatVersion,
      interfaces: result.interfaces,
      linkTypes: result.linkTypes,
      figures: result.figures,
      damage: result.damage,
      timeDigits: result.timeDigits,
    },
    problems: result.problems,
    capture,
  };
}

/** Names the dataset on screen in the address, keeping its filter. */
function showInAddress(datasetId: string): void {
  const hash = readHash();
  writeHash({ ds: datasetId, f: hash.ds === datasetId ? hash.f : undefined });
}

function readPreference(key: string): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}
