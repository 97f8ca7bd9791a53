import { useCallback } from 'react';
import { formatCount } from '../format';
import type { ImportState } from '../import/use-capture-import';
import type { FlowSortKey } from '../worker/protocol';
import { sortFlows } from '../worker/sort-flows';
import { FlowTable } from './FlowTable';
import { Totals } from './Totals';

type Props = {
  state: Extract<ImportState, { phase: 'error' }>;
  onRetry(): void;
};

/**
 * After an import that failed on the way (a crashed worker, a bug): a
 * button to import again, and the flows found before the failure. Their
 * worker is gone, so this table sorts on the page; it holds only what was
 * found, which is small next to a whole capture's flows.
 */
export function ImportRecovery({ state, onRetry }: Props) {
  const { partial, retryable } = state;

  const sortPartial = useCallback(
    async (key: FlowSortKey, descending: boolean) =>
      partial
        ? sortFlows(partial.columns, partial.columns.count, key, descending,
            partial.names)
        : null,
    [partial],
  );

  if (!retryable && !partial) return null;
  return (
    <section className="import-recovery" data-testid="import-recovery">
      {retryable && (
        <p className="import-recovery__retry">
          <button
            type="button"
            className="button button--primary"
            data-testid="import-retry"
            onClick={onRetry}
          >
            Import again
          </button>{' '}
          {partial
            ? `The ${formatCount(partial.figures.flows)} flows found ` +
              'before it stopped are shown below.'
            : null}
        </p>
      )}
      {partial && (
        <>
          <Totals figures={partial.figures} partial />
          <FlowTable
            columns={partial.columns}
            timeDigits={partial.timeDigits}
            names={partial.names}
            sortFlows={sortPartial}
          />
        </>
      )}
    </section>
  );
}
