import type { ChangeEvent } from 'react';

type Props = {
  onFile(file: File): void;
  /** Takes several picked files at once; without it, one can be picked. */
  onFiles?(files: File[]): void;
  onSample(): void;
  busy: boolean;
};

/** The file picker and the sample button; a drop anywhere works as well. */
export function OpenControls({ onFile, onFiles, onSample, busy }: Props) {
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    // Cleared so that picking the same file again opens it again.
    event.target.value = '';
    if (onFiles && files.length > 0) onFiles(files);
    else if (files[0]) onFile(files[0]);
  };

  return (
    <div className="open-controls">
      <label className="button button--primary">
        Open capture…
        <input
          type="file"
          className="visually-hidden"
          data-testid="file-input"
          multiple={onFiles !== undefined}
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
