import {
  useEffect,
  useId,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { formatCount } from '../format';
import { acceptCompletion, completeField, type Completion } from './completion';
import { useFilter, type FilterFailure } from './filter-context';
import './filter.css';

type Props = {
  /** Flows in the capture, to say how many of them the filter keeps. */
  totalFlows: number;
};

/**
 * The filter: an expression box that completes field names and applies on
 * Enter, the error under it with a caret at the position, and the terms
 * added by clicks as chips that × removes.
 */
export function FilterBar({ totalFlows }: Props) {
  const filter = useFilter();
  const [draft, setDraft] = useState(filter.typed);
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [active, setActive] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const errorId = useId();

  // The box shows what is in force, or what was refused, as it changes.
  useEffect(() => setDraft(filter.typed), [filter.typed]);
  useEffect(() => {
    if (filter.failure) setDraft(filter.failure.typed);
  }, [filter.failure]);

  const closeList = () => {
    setCompletion(null);
    setActive(-1);
  };

  const edit = (text: string, caret: number) => {
    setDraft(text);
    setCompletion(completeField(text, caret));
    setActive(-1);
  };

  const accept = (name: string) => {
    if (!completion) return;
    const next = acceptCompletion(draft, completion, name);
    setDraft(next.text);
    closeList();
    // The caret goes after the inserted name once React has rendered it.
    requestAnimationFrame(() => {
      inputRef.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    closeList();
    filter.setTyped(draft);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const options = completion?.options ?? [];
    if (options.length === 0) return;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        setActive((i) => (i + 1) % options.length);
        break;
      case 'ArrowUp':
        event.preventDefault();
        setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
        break;
      case 'Enter':
        // Enter applies the filter unless a suggestion was picked.
        if (active >= 0) {
          event.preventDefault();
          accept(options[active].name);
        }
        break;
      case 'Tab':
        event.preventDefault();
        accept(options[Math.max(active, 0)].name);
        break;
      case 'Escape':
        event.preventDefault();
        closeList();
        break;
    }
  };

  const options = completion?.options ?? [];
  const optionId = (i: number) => `${listId}-${i}`;
  const figures = filter.figures;

  return (
    <section className="filter-bar" aria-label="Filter">
      <form className="filter-bar__form" role="search" onSubmit={submit}>
        <div className="filter-bar__box">
          <input
            ref={inputRef}
            className="filter-bar__input"
            data-testid="filter-input"
            type="text"
            value={draft}
            placeholder="Filter, e.g. ip.addr == 10.0.0.4 && tcp.port == 443"
            aria-label="Filter expression"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={options.length > 0}
            aria-controls={listId}
            aria-activedescendant={active >= 0 ? optionId(active) : undefined}
            aria-invalid={filter.failure !== null}
            aria-describedby={filter.failure ? errorId : undefined}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            onChange={(event) =>
              edit(
                event.target.value,
                event.target.selectionStart ?? event.target.value.length,
              )
            }
            onKeyDown={onKeyDown}
            onBlur={closeList}
          />
          <ul
            id={listId}
            className="filter-bar__suggestions"
            data-testid="filter-suggestions"
            role="listbox"
            aria-label="Fields"
            hidden={options.length === 0}
          >
            {options.map((option, i) => (
              <li
                key={option.name}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                className="filter-bar__option"
                // Before the input's blur closes the list.
                onMouseDown={(event) => {
                  event.preventDefault();
                  accept(option.name);
                }}
              >
                <code>{option.name}</code>
                <span className="filter-bar__help">{option.help}</span>
              </li>
            ))}
          </ul>
        </div>
        <button type="submit" className="button">
          Apply
        </button>
        {filter.text !== '' && (
          <button
            type="button"
            className="button"
            onClick={() => filter.setText('')}
          >
            Clear
          </button>
        )}
      </form>

      {filter.terms.length > 0 && (
        <ul className="filter-chips" aria-label="Filter terms">
          {filter.terms.map((term, i) => (
            <li
              key={`${term.mode} ${term.expr}`}
              className={`filter-chip filter-chip--${term.mode}`}
              data-testid="filter-chip"
              data-mode={term.mode}
              data-term={term.expr}
            >
              <span className="filter-chip__mode">
                {term.mode === 'only' ? 'only' : 'not'}
              </span>
              <code className="filter-chip__expr">{term.expr}</code>
              <button
                type="button"
                className="filter-chip__remove"
                aria-label={`Remove filter term ${term.expr}`}
                title="Remove"
                onClick={() => filter.removeTerm(i)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}

      {filter.failure && <FilterErrorNote id={errorId} failure={filter.failure} />}

      <p className="filter-bar__status" aria-live="polite">
        {filter.pending
          ? 'Filtering…'
          : draft.trim() !== filter.typed.trim() && !filter.failure
            ? 'Press Enter to apply the edited filter.'
          : figures?.filtered
            ? `${formatCount(figures.flows)} of ${formatCount(totalFlows)} ` +
              'flows match the filter; the figures below are theirs.'
            : ''}
      </p>
    </section>
  );
}

/** The refused expression with a caret under the position. */
function FilterErrorNote({
  id,
  failure,
}: {
  id: string;
  failure: FilterFailure;
}) {
  const { problem } = failure;
  const inTyped = failure.typedPosition !== null;
  const text = inTyped ? failure.typed : failure.text;
  const position = inTyped
    ? (failure.typedPosition as number)
    : problem.position;
  return (
    <div
      id={id}
      className="filter-error"
      data-testid="filter-error"
      data-position={position}
      role="alert"
    >
      <p className="filter-error__message">
        {problem.message}{' '}
        {problem.expected && (
          <span className="filter-error__expected">
            Expected {problem.expected}.
          </span>
        )}
      </p>
      <pre className="filter-error__where" aria-label={`At character ${position + 1}`}>
        {text}
        {'\n'}
        {' '.repeat(position)}^
      </pre>
    </div>
  );
}
