import {
  addTerm as withTerm,
  joinFilter,
  splitFilter,
  type FilterParts,
  type FilterTerm,
  type TermMode,
} from '@capscope/analytics/filter/terms';
import type { Remote } from 'comlink';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { readHash, writeHash } from '../hash';
import type {
  FilterFigures,
  FilterOutcome,
  FilterProblem,
  WorkerApi,
} from '../worker/protocol';

/** A filter the worker refused, with the text it was about. */
export interface FilterFailure {
  /** The whole expression sent, and the typed part of it. */
  text: string;
  typed: string;
  /** The problem's position in `typed`, or null when it lies elsewhere. */
  typedPosition: number | null;
  problem: FilterProblem;
}

/**
 * The one filter every view shares. Views read `version` (it grows each
 * time the worker's filter changed, so they query again) and add terms
 * with `addTerm`; the filter bar edits the typed part and the chips.
 */
export interface FilterState {
  /** The whole expression in force ('' for none). */
  text: string;
  addTerm(expr: string, mode: TermMode): void;
  /** Replaces the whole filter with this expression. */
  setText(text: string): void;
  version: number;

  /** The typed part and the clicked terms of `text`. */
  typed: string;
  terms: readonly FilterTerm[];
  /** Applies a newly typed expression, keeping the terms. */
  setTyped(typed: string): void;
  removeTerm(index: number): void;
  /** The last filter the worker refused; cleared by the next success. */
  failure: FilterFailure | null;
  /** Figures of the kept flows, once the worker answered for this capture. */
  figures: FilterFigures | null;
  pending: boolean;
  /** The kept flows in file order, or null when every flow is kept. */
  keptFlows(): Promise<Uint32Array | null>;
}

const NO_CAPTURE: FilterState = {
  text: '',
  addTerm: () => undefined,
  setText: () => undefined,
  version: 0,
  typed: '',
  terms: [],
  setTyped: () => undefined,
  removeTerm: () => undefined,
  failure: null,
  figures: null,
  pending: false,
  keptFlows: () => Promise.resolve(null),
};

const FilterContext = createContext<FilterState>(NO_CAPTURE);

export function useFilter(): FilterState {
  return useContext(FilterContext);
}

type Props = {
  /** The open capture's worker, or null while none is ready. */
  worker: Remote<WorkerApi> | null;
  /** Changes with each capture, so its filter is applied afresh. */
  captureId: number | null;
  /** The dataset the URL names (`ds=`), once it is known. */
  datasetId?: string | null;
  children: ReactNode;
};

/**
 * Holds the filter, applies it in the worker and keeps it in the URL as
 * `#…&f=<expression>`: each new filter is a history entry, so Back undoes
 * it, and a capture that finishes loading gets the filter of the URL.
 */
export function FilterProvider({
  worker,
  captureId,
  datasetId = null,
  children,
}: Props) {
  const [applied, setApplied] = useState<AppliedFilter>(NO_FILTER);
  const [version, setVersion] = useState(0);
  const [failure, setFailure] = useState<FilterFailure | null>(null);
  const [figures, setFigures] = useState<FilterFigures | null>(null);
  const [pending, setPending] = useState(false);

  const workerRef = useRef(worker);
  workerRef.current = worker;
  const appliedRef = useRef(applied);
  appliedRef.current = applied;
  const request = useRef(0);
  // How each filter of this page was built, so Back and Forward restore
  // its chips exactly; a filter from elsewhere (a link) is split instead.
  const known = useRef(new Map<string, FilterParts>());

  /** Applies a filter, unless a later one overtakes it ('stale'). */
  const apply = useCallback(
    async (parts: FilterParts, hash: HashUpdate): Promise<ApplyResult> => {
      const text = joinFilter(parts.typed, parts.terms);
      const id = ++request.current;
      const api = workerRef.current;
      if (!api) {
        // No capture yet: the filter waits in the URL for one.
        setApplied({ ...parts, text });
        setFailure(null);
        updateHash(text, hash);
        return 'applied';
      }

      setPending(true);
      let outcome: FilterOutcome;
      try {
        outcome = await api.setFilter(text);
      } catch {
        // The worker is gone (a new capture replaced it); nothing to show.
        if (id === request.current) setPending(false);
        return 'stale';
      }
      if (id !== request.current) return 'stale';
      setPending(false);
      if (!outcome.ok) {
        setFailure({
          text,
          typed: parts.typed,
          typedPosition: positionInTyped(parts.typed, text,
            outcome.error.position),
          problem: outcome.error,
        });
        return 'refused';
      }

      known.current.set(text, parts);
      setApplied({ ...parts, text });
      setFailure(null);
      setFigures(outcome.figures);
      setVersion((v) => v + 1);
      updateHash(text, hash);
      return 'applied';
    },
    [],
  );

  const partsOf = useCallback(
    (text: string): FilterParts =>
      known.current.get(text) ?? splitFilter(text),
    [],
  );

  const keptFlows = useCallback(async () => {
    const api = workerRef.current;
    return api ? api.keptFlows() : null;
  }, []);

  // A capture that is ready gets the filter the URL holds. Its worker
  // starts with none, so a refused one (a bad link) leaves none applied.
  useEffect(() => {
    setFigures(null);
    if (captureId === null) return;
    void apply(partsOf(readHash().f ?? ''), 'replace').then((result) => {
      if (result === 'refused') setApplied(NO_FILTER);
    });
  }, [captureId, apply, partsOf]);

  // Naming a newly saved dataset in the URL keeps the filter only when it
  // is the dataset the URL named before (use-datasets.ts): follow the URL.
  useEffect(() => {
    const hash = readHash();
    if (datasetId === null || hash.ds !== datasetId) return;
    const text = hash.f ?? '';
    if (text !== appliedRef.current.text) void apply(partsOf(text), 'none');
  }, [datasetId, apply, partsOf]);

  // Back and Forward move through filters.
  useEffect(() => {
    const onPopState = () => {
      const text = readHash().f ?? '';
      if (text === appliedRef.current.text) return;
      void apply(partsOf(text), 'none');
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, [apply, partsOf]);

  const value = useMemo<FilterState>(() => {
    const current = () => appliedRef.current;
    return {
      text: applied.text,
      version,
      typed: applied.typed,
      terms: applied.terms,
      failure,
      figures,
      pending,
      addTerm(expr, mode) {
        const { typed, terms } = current();
        void apply({ typed, terms: withTerm(terms, { expr, mode }) }, 'push');
      },
      setText(text) {
        void apply(partsOf(text), 'push');
      },
      setTyped(typed) {
        void apply({ typed, terms: current().terms }, 'push');
      },
      removeTerm(index) {
        const { typed, terms } = current();
        void apply(
          { typed, terms: terms.filter((_, i) => i !== index) },
          'push',
        );
      },
      keptFlows,
    };
  }, [applied, version, failure, figures, pending, apply, partsOf, keptFlows]);

  return (
    <FilterContext.Provider value={value}>{children}</FilterContext.Provider>
  );
}

/** How an applied filter touches the address bar. */
type HashUpdate = 'push' | 'replace' | 'none';

type ApplyResult = 'applied' | 'refused' | 'stale';

type AppliedFilter = FilterParts & { text: string };

const NO_FILTER: AppliedFilter = { typed: '', terms: [], text: '' };

/**
 * Where a position in the whole expression falls in the typed part, which
 * joinFilter put first, trimmed and perhaps in parentheses.
 */
function positionInTyped(
  typed: string,
  text: string,
  position: number,
): number | null {
  const trimmed = typed.trim();
  if (trimmed === '') return null;
  const start = text.startsWith(`(${trimmed})`) ? 1 : 0;
  if (position < start || position > start + trimmed.length) return null;
  const leading = typed.length - typed.trimStart().length;
  return position - start + leading;
}

/** Keeps the dataset part of the hash as it is and sets the filter. */
function updateHash(text: string, hash: HashUpdate): void {
  if (hash === 'none') return;
  writeHash({ ds: readHash().ds, f: text || undefined }, hash === 'push');
}
