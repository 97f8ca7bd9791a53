import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { useFilter } from '../filter/filter-context';
import { formatBytes, formatCount } from '../format';
import type {
  EndpointRow,
  EndpointSortKey,
} from '../worker/views-protocol';
import { countryLabel } from './country-names';
import { useViews } from './views-context';

/** Rows fetched at a time: a screenful or two, never the whole list. */
const PAGE_ROWS = 100;
const ROW_PX = 28;

const COLUMNS: ReadonlyArray<{ key: EndpointSortKey | null; label: string;
  numeric?: boolean }> = [
  { key: 'address', label: 'Address' },
  { key: 'country', label: 'Country' },
  { key: 'flows', label: 'Flows', numeric: true },
  { key: 'packetsSent', label: 'Packets sent', numeric: true },
  { key: 'packetsReceived', label: 'Packets received', numeric: true },
  { key: 'bytesSent', label: 'Bytes sent', numeric: true },
  { key: 'bytesReceived', label: 'Bytes received', numeric: true },
  { key: null, label: 'Names' },
];

/**
 * Every address of the kept flows, sortable, virtualised: only the rows
 * on screen exist, and they are fetched from the worker a page at a time.
 */
export function EndpointsTable({ onOpen }: { onOpen(address: string): void }) {
  const { api, revision } = useViews();
  const { version } = useFilter();
  const [sort, setSort] = useState<{ key: EndpointSortKey; desc: boolean }>(
    { key: 'bytesSent', desc: true });
  const [total, setTotal] = useState(0);
  const [pages, setPages] = useState<Map<number, EndpointRow[]>>(new Map());
  const asked = useRef(new Set<number>());
  const scroller = useRef<HTMLDivElement>(null);
  const generation = useRef(0);

  // A new filter, capture or order starts from an empty cache.
  useEffect(() => {
    generation.current++;
    asked.current = new Set();
    setPages(new Map());
    setTotal(0);
    void fetchPage(0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, revision, version, sort.key, sort.desc]);

  async function fetchPage(page: number) {
    if (asked.current.has(page)) return;
    asked.current.add(page);
    const mine = generation.current;
    const result = await api.endpoints({ sort: sort.key,
      descending: sort.desc, offset: page * PAGE_ROWS, limit: PAGE_ROWS });
    if (mine !== generation.current) return;
    setTotal(result.total);
    setPages((previous) => new Map(previous).set(page, result.rows));
  }

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_PX,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();

  useEffect(() => {
    for (const item of items) void fetchPage(Math.floor(item.index / PAGE_ROWS));
  });

  const rowAt = (index: number) =>
    pages.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS];

  const header = (column: (typeof COLUMNS)[number]) => {
    const active = column.key !== null && column.key === sort.key;
    return (
      <div key={column.label} role="columnheader"
        className={`endpoints__cell${column.numeric ? ' num' : ''}`}
        aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
        {column.key === null ? column.label : (
          <button type="button" className="link-button"
            onClick={() => setSort({ key: column.key!,
              desc: active ? !sort.desc : !!column.numeric })}>
            {column.label}{active ? (sort.desc ? ' ↓' : ' ↑') : ''}
          </button>
        )}
      </div>
    );
  };

  return (
    <div className="endpoints" role="table" aria-rowcount={total + 1}
      aria-label="Endpoints">
      <div className="endpoints__row endpoints__head" role="row">
        {COLUMNS.map(header)}
      </div>
      <div ref={scroller} className="endpoints__body">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rowAt(item.index);
            return (
              <div key={item.key} role="row" className="endpoints__row"
                aria-rowindex={item.index + 2}
                style={{ position: 'absolute', top: 0, left: 0, right: 0,
                  height: ROW_PX, transform: `translateY(${item.start}px)` }}>
                {row ? <EndpointCells row={row} onOpen={onOpen} /> : (
                  <div role="cell" className="endpoints__cell">…</div>
                )}
              </div>
            );
          })}
        </div>
      </div>
      <p className="panel__note">{formatCount(total)} addresses</p>
    </div>
  );
}

function EndpointCells({ row, onOpen }: {
  row: EndpointRow;
  onOpen(address: string): void;
}) {
  const names = [row.name, row.city, row.network].filter(Boolean).join(' · ');
  return (
    <>
      <div role="cell" className="endpoints__cell">
        <button type="button" className="link-button mono"
          onClick={() => onOpen(row.address)}>
          {row.address}
        </button>
      </div>
      <div role="cell" className="endpoints__cell" title={row.country}>
        {countryLabel(row.country)}
      </div>
      <div role="cell" className="endpoints__cell num">
        {formatCount(row.flows)}
      </div>
      <div role="cell" className="endpoints__cell num">
        {formatCount(row.packetsSent)}
      </div>
      <div role="cell" className="endpoints__cell num">
        {formatCount(row.packetsReceived)}
      </div>
      <div role="cell" className="endpoints__cell num">
        {formatBytes(row.bytesSent)}
      </div>
      <div role="cell" className="endpoints__cell num">
        {formatBytes(row.bytesReceived)}
      </div>
      <div role="cell" className="endpoints__cell" title={names}>{names}</div>
    </>
  );
}
