// The dataset API's side of the worker boundary: types only.

import type { Problem } from '@capscope/parser/problems';
import type { SourceSummary } from '../store/schema';
import type { ImportError, ImportOutcome } from './protocol';

/**
 * Why keeping or opening a dataset failed: `storage-full` when the
 * browser refused the bytes, `storage` for anything else IndexedDB said.
 */
export type DatasetErrorKind = 'storage-full' | 'storage';

/** The capture the worker just imported, to keep as a dataset's source. */
export interface SaveRequest {
  /**
   * File name, or URL. Its query (a SAS token) and fragment are cut off
   * before anything is stored.
   */
  label: string;
  /**
   * The dataset's name when it is new; the label's file name by default.
   * Cut like the label.
   */
  name?: string;
  /** Bytes of the capture file. */
  fileBytes: number;
  /** What the import reported, without the flows. */
  summary: SourceSummary;
  /** The import's problems in full, as its result listed them. */
  problems: Problem[];
  /**
   * The capture file, when the user asked to keep its bytes too (a File
   * crosses to the worker as a handle; its bytes are read only to store
   * them); null otherwise.
   */
  capture: Blob | null;
}

export type SaveOutcome =
  | { status: 'saved'; datasetId: string }
  | { status: 'error'; error: ImportError };

/**
 * Datasets in IndexedDB (dataset-api.ts). Opening, adding and removing
 * answer as an import does, with the dataset's flows in the result and
 * `datasetId` set; the worker then holds those flows for every query.
 */
export interface DatasetApi {
  /** Keeps the capture this worker imported as a new dataset. */
  saveDataset(request: SaveRequest): Promise<SaveOutcome>;
  /** Loads a dataset's flows, with no parsing. */
  openDataset(datasetId: string): Promise<ImportOutcome>;
  /** Merges the capture this worker imported into a dataset. */
  addSource(datasetId: string, request: SaveRequest): Promise<ImportOutcome>;
  /** Takes one capture out of a dataset and merges the others afresh. */
  removeSource(datasetId: string, partId: string): Promise<ImportOutcome>;
}
