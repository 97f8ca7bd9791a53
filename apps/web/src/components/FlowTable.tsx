import { flowRecord } from '@capscope/analytics/flow-record';
import type { FlowColumns } from '@capscope/analytics/flow-table';
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type Header,
  type Row,
  type SortingState,
  type Updater,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useCellFilterMenu } from '../filter/CellFilterMenu';
import { useFilter } from '../filter/filter-context';
import { formatCount } from '../format';
import type { FlowSortKey } from '../worker/protocol';
import { FLOW_COLUMNS, type FlowRow } from './flow-columns';

const ROW_HEIGHT_PX = 26;
/**
 * Chromium lays out nothing taller than about 33.5 million pixels, so the
 * scroll area holds at most this many rows of 26 px; past it, the table
 * shows the first rows of the current order.
 */
const MAX_ROWS = 1_250_000;
/** Rows drawn beyond the visible ones, so a quick scroll shows no gap. */
const OVERSCAN_ROWS = 12;

const coreRowModel = getCoreRowModel<FlowRow>();

interface RowCache {
  order: Uint32Array | null;
  rows: Map<number, FlowRow>;
}


type Props = {
  columns: FlowColumns;
  timeDigits: number;
  /** Host names the `host` column indexes. */
  names: readonly string[];
  /** Resolves to the flow order, or null when the answer is stale. */
  sortFlows(key: FlowSortKey, descending: boolean): Promise<Uint32Array | null>;
};

/**
 * The flows, virtualised: react-table holds the column definitions and the
 * sort state, but its data are only the rows in view, formatted from the
 * columns as they scroll in. The order comes from the worker.
 */
export function FlowTable({
  columns,
  timeDigits,
  names,
  sortFlows,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [order, setOrder] = useState<Uint32Array | null>(null);
  const [sortPending, setSortPending] = useState(false);
  const sortRequest = useRef(0);
  const filter = useFilter();
  const cellMenu = useCellFilterMenu(columns, timeDigits, names);

  // With a filter, `order` lists only the flows it keeps.
  const listedCount = order ? order.length : columns.count;
  const rowCount = Math.min(listedCount, MAX_ROWS);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: OVERSCAN_ROWS,
  });
  const items = virtualizer.getVirtualItems();

  // Rows still in view keep their objects, so that only the rows that
  // scrolled in are formatted and rendered.
  const rowCache = useRef<RowCache>({ order, rows: new Map() });
  const data = useMemo<FlowRow[]>(() => {
    const cache = rowCache.current;
    if (cache.order !== order) {
      cache.order = order;
      cache.rows = new Map();
    }
    const context = { timeDigits, names };
    const rows = new Map<number, FlowRow>();
    for (const item of items) {
      let row = cache.rows.get(item.index);
      if (!row) {
        const flow = order ? order[item.index] : item.index;
        row = {
          position: item.index,
          flow,
          record: flowRecord(columns, flow, context),
          timeDigits,
        };
      }
      rows.set(item.index, row);
    }
    cache.rows = rows;
    return [...rows.values()];
  }, [items, order, columns, timeDigits, names]);

  // Asks the worker for the flows to list: sorted, or the filter's in
  // file order (null: every flow, in file order).
  const { keptFlows } = filter;
  const fetchOrder = useCallback(
    (sorting: SortingState) => {
      const request = ++sortRequest.current;
      const [sort] = sorting;
      setSortPending(true);
      const answer = sort
        ? sortFlows(sort.id as FlowSortKey, sort.desc).then((sorted) =>
            sorted === null ? undefined : sorted,
          )
        : keptFlows();
      answer.then(
        (next) => {
          if (request !== sortRequest.current || next === undefined) return;
          setOrder(next);
          setSortPending(false);
          scrollRef.current?.scrollTo({ top: 0 });
        },
        () => {
          // The worker is gone; the page reports why.
          if (request === sortRequest.current) setSortPending(false);
        },
      );
    },
    [sortFlows, keptFlows],
  );

  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      setSorting(next);
      fetchOrder(next);
    },
    [sorting, fetchOrder],
  );

  // A new filter changes which flows are listed, in the same order.
  const sortingRef = useRef(sorting);
  sortingRef.current = sorting;
  useEffect(() => {
    if (filter.version > 0) fetchOrder(sortingRef.current);
  }, [filter.version, fetchOrder]);

  const table = useReactTable({
    data,
    columns: FLOW_COLUMNS,
    getCoreRowModel: coreRowModel,
    getRowId: (row) => String(row.position),
    manualSorting: true,
    enableMultiSort: false,
    state: { sorting },
    onSortingChange,
  });
  const rows = table.getRowModel().rows;

  return (
    <section className="flows" aria-labelledby="flows-title">
      <div className="flows__heading">
        <h2 id="flows-title">Flows</h2>
        <span className="flows__status" aria-live="polite">
          {sortPending ? 'Sorting…' : describeOrder(sorting)}
        </span>
        {listedCount > MAX_ROWS && (
          <span className="flows__note">
            Listing the first {formatCount(MAX_ROWS)} of{' '}
            {formatCount(listedCount)} flows in this order.
          </span>
        )}
      </div>
      <div
        className="flows__scroll"
        ref={scrollRef}
        data-testid="flow-table"
        data-sorting={sortPending ? 'pending' : 'idle'}
      >
        <table
          className="flow-table"
          aria-rowcount={rowCount + 1}
          style={{ minWidth: table.getTotalSize() }}
        >
          <thead className="flow-table__head">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id} className="flow-table__row">
                {group.headers.map((header) => (
                  <HeaderCell key={header.id} header={header} />
                ))}
              </tr>
            ))}
          </thead>
          <tbody
            className="flow-table__body"
            style={{ height: virtualizer.getTotalSize() }}
            onClick={cellMenu.onClick}
          >
            {rows.map((row, i) => (
              <FlowTableRow key={row.id} row={row} start={items[i].start} />
            ))}
          </tbody>
        </table>
      </div>
      {cellMenu.menu}
    </section>
  );
}

type RowProps = { row: Row<FlowRow>; start: number };

/** Renders again only when its flow or its place changes. */
const FlowTableRow = memo(
  function FlowTableRow({ row, start }: RowProps) {
    return (
      <tr
        className="flow-table__row"
        data-testid="flow-row"
        data-flow={row.original.flow}
        aria-rowindex={row.original.position + 2}
        style={{ transform: `translateY(${start}px)` }}
      >
        {row.getVisibleCells().map((cell) => (
          <td
            key={cell.id}
            data-column={cell.column.id}
            className={cellClass(cell.column.columnDef.meta?.numeric)}
            style={{ flexBasis: cell.column.getSize() }}
            title={cellTitle(cell.getValue())}
          >
            {flexRender(cell.column.columnDef.cell, cell.getContext())}
          </td>
        ))}
      </tr>
    );
  },
  (before, after) =>
    before.row.original === after.row.original && before.start === after.start,
);

function HeaderCell({ header }: { header: Header<FlowRow, unknown> }) {
  const sorted = header.column.getIsSorted();
  const numeric = header.column.columnDef.meta?.numeric;
  return (
    <th
      className={cellClass(numeric)}
      style={{ flexBasis: header.getSize() }}
      aria-sort={
        sorted === 'asc'
          ? 'ascending'
          : sorted === 'desc'
            ? 'descending'
            : 'none'
      }
    >
      <button
        type="button"
        className="flow-table__sort"
        onClick={header.column.getToggleSortingHandler()}
        title="Sort by this column"
      >
        {flexRender(header.column.columnDef.header, header.getContext())}
        <span className="flow-table__arrow" aria-hidden="true">
          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
        </span>
      </button>
    </th>
  );
}

/** Addresses and long durations may be cut to fit; hovering shows them. */
function cellTitle(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function cellClass(numeric: boolean | undefined): string {
  return numeric
    ? 'flow-table__cell flow-table__cell--numeric'
    : 'flow-table__cell';
}

function describeOrder(sorting: SortingState): string {
  const [sort] = sorting;
  if (!sort) return 'In file order; click a heading to sort.';
  const column = FLOW_COLUMNS.find((c) => c.id === sort.id);
  const name = typeof column?.header === 'string' ? column.header : sort.id;
  const direction = sort.desc ? 'descending' : 'ascending';
  // Acronyms (RTT) keep their capitals.
  const said = name === name.toUpperCase() ? name : name.toLowerCase();
  return `Sorted by ${said}, ${direction}.`;
}
