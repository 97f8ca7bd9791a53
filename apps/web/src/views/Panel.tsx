import type { ReactNode } from 'react';

type Props = {
  title: string;
  /** Controls at the title's right (a measure picker). */
  actions?: ReactNode;
  /** A line under the title: what is counted, how to use it. */
  note?: string;
  className?: string;
  children: ReactNode;
};

/** A titled box holding one chart or table. */
export function Panel({ title, actions, note, className, children }: Props) {
  return (
    <section className={`panel ${className ?? ''}`}>
      <header className="panel__head">
        <h2 className="panel__title">{title}</h2>
        {actions}
      </header>
      {note && <p className="panel__note">{note}</p>}
      {children}
    </section>
  );
}

type PickerProps<T extends string> = {
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: NoInfer<T>) => void;
};

/** A few mutually exclusive choices, as a row of toggle buttons. */
export function Picker<T extends string>(
  { label, value, options, onChange }: PickerProps<T>,
) {
  return (
    <div className="picker" role="group" aria-label={label}>
      {options.map((option) => (
        <button key={option.value} type="button" className="picker__option"
          aria-pressed={option.value === value}
          onClick={() => onChange(option.value)}>
          {option.label}
        </button>
      ))}
    </div>
  );
}

/** A line saying a chart has nothing to draw, instead of empty axes. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="panel__empty">{children}</p>;
}
