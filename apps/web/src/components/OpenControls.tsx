import type { ChangeEvent } from 'react';

type Props = {
  onFile(file: File): void;
  onSample(): void;
  busy: boolean;
};

/** The file picker and the sample button; a drop anywhere works as well. */
export function OpenControls({ onFile, onSample, busy }: Props) {
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // Cleared so that picking the same file again opens it again.
    event.target.value = '';
    if (file) onFile(file);
  };

  return (
    <div className="open-controls">
      <label className="button button--primary">
        Open capture…
        <input
          type="file"
          className="visually-hidden"
          data-testid="file-input"
          onChange={onChange}
        />
      </label>
      <button
        type="button"
        className="button"
        data-testid="open-sample"
        onClick={onSample}
        disabled={busy}
      >
        Open sample capture
      </button>
    </div>
  );
}
