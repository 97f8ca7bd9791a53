import type { FlowColumns } from '@capscope/analytics/flow-table';
import { flowRecord } from '@capscope/analytics/flow-record';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { cellTerm, type CellTerm } from './cell-terms';
import { useFilter } from './filter-context';
import './filter.css';

/** Keeps the menu inside the window near its right and bottom edges. */
const MENU_WIDTH_PX = 240;
const MENU_HEIGHT_PX = 110;

interface OpenMenu {
  term: CellTerm;
  x: number;
  y: number;
}

/**
 * "Only this" / "Exclude this" for the flows table's cells. The table
 * marks each row with `data-flow` and each cell with `data-column`; one
 * click handler on the body finds which value was clicked.
 */
export function useCellFilterMenu(
  columns: FlowColumns,
  timeDigits: number,
  names: readonly string[],
): { onClick(event: MouseEvent<HTMLElement>): void; menu: ReactNode } {
  const [open, setOpen] = useState<OpenMenu | null>(null);

  const onClick = useCallback(
    (event: MouseEvent<HTMLElement>) => {
      // A drag that selected text is someone copying a value.
      if (window.getSelection()?.toString()) return;
      const target = event.target as HTMLElement;
      const cell = target.closest<HTMLElement>('[data-column]');
      const row = cell?.closest<HTMLElement>('[data-flow]');
      if (!cell || !row) return;
      const flow = Number(row.dataset.flow);
      const record = flowRecord(columns, flow, { timeDigits, names });
      const term = cellTerm(cell.dataset.column ?? '', record);
      setOpen(term ? { term, x: event.clientX, y: event.clientY } : null);
    },
    [columns, timeDigits, names],
  );

  const close = useCallback(() => setOpen(null), []);
  const menu = open ? (
    <CellFilterMenu
      key={`${open.x},${open.y}`}
      term={open.term}
      x={open.x}
      y={open.y}
      onClose={close}
    />
  ) : null;
  return { onClick, menu };
}

type Props = OpenMenu & { onClose(): void };

function CellFilterMenu({ term, x, y, onClose }: Props) {
  const { addTerm } = useFilter();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    // Scrolling moves the cell away from the menu.
    const onScroll = (event: Event) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', onPointer, true);
    document.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onClose);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', onClose);
    };
  }, [onClose]);

  const choose = (mode: 'only' | 'exclude') => {
    addTerm(term.expr, mode);
    onClose();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [
      ...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ??
        []),
    ];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : items.length - 1;
      items[(at + step) % items.length]?.focus();
    }
  };

  const left = Math.max(0, Math.min(x, window.innerWidth - MENU_WIDTH_PX));
  const top = Math.max(0, Math.min(y, window.innerHeight - MENU_HEIGHT_PX));
  return createPortal(
    <div
      ref={ref}
      className="cell-menu"
      role="menu"
      aria-label={`Filter on ${term.label}`}
      data-testid="cell-filter-menu"
      style={{ left, top, width: MENU_WIDTH_PX }}
      onKeyDown={onKeyDown}
    >
      <code className="cell-menu__term">{term.expr}</code>
      <button
        type="button"
        role="menuitem"
        className="cell-menu__item"
        data-testid="cell-filter-only"
        onClick={() => choose('only')}
      >
        Only this
      </button>
      <button
        type="button"
        role="menuitem"
        className="cell-menu__item"
        data-testid="cell-filter-exclude"
        onClick={() => choose('exclude')}
      >
        Exclude this
      </button>
    </div>,
    document.body,
  );
}
