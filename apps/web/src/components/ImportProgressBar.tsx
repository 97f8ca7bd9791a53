import { displayText } from '../display-text';
import { formatBytes, formatPercent } from '../format';
import type { ImportState } from '../import/use-capture-import';
import { TransferStatus } from './TransferStatus';

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
  // A download's size is unknown until its first answer.
  const sizeKnown = bytesTotal > 0 || state.phase === 'done';
  const amount =
    state.phase === 'done'
      ? formatBytes(bytesTotal)
      : sizeKnown
        ? `${formatBytes(bytesRead)} of ${formatBytes(bytesTotal)}`
        : formatBytes(bytesRead);

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
        value={
          state.phase === 'done'
            ? Math.max(bytesTotal, 1)
            : sizeKnown || !running
              ? bytesRead
              : undefined
        }
        aria-label="Import progress"
      />
      <span className="import-progress__label">
        {STATE_WORDS[state.phase]}{' '}
        <strong title={displayText(state.fileName, Infinity)}>
          {displayText(state.fileName)}
        </strong>
        : {amount}
        {running && sizeKnown && ` (${formatPercent(bytesRead, bytesTotal)})`}
        {running && <TransferStatus progress={state.progress} />}
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
