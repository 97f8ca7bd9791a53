import { formatBytes, formatPercent } from '../format';
import type { ImportState } from '../import/use-capture-import';

type Props = {
  state: Exclude<ImportState, { phase: 'idle' }>;
  onCancel(): void;
};

const STATE_WORDS = {
  running: 'Reading',
  done: 'Read',
  error: 'Could not read',
  cancelled: 'Cancelled reading',
} as const;

export function ImportProgressBar({ state, onCancel }: Props) {
  const { bytesRead, bytesTotal } = state.progress;
  const running = state.phase === 'running';
  const amount =
    state.phase === 'done'
      ? formatBytes(bytesTotal)
      : `${formatBytes(bytesRead)} of ${formatBytes(bytesTotal)}`;

  return (
    <div
      className="import-progress"
      data-testid="import-progress"
      data-state={state.phase}
      data-value={bytesRead}
      data-total={bytesTotal}
    >
      <progress
        max={Math.max(bytesTotal, 1)}
        value={state.phase === 'done' ? Math.max(bytesTotal, 1) : bytesRead}
        aria-label="Import progress"
      />
      <span className="import-progress__label">
        {STATE_WORDS[state.phase]} <strong>{state.fileName}</strong>: {amount}
        {running && ` (${formatPercent(bytesRead, bytesTotal)})`}
      </span>
      {running && (
        <button
          type="button"
          className="button"
          data-testid="import-cancel"
          onClick={onCancel}
        >
          Cancel
        </button>
      )}
    </div>
  );
}
