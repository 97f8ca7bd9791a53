import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Datasets } from '../datasets/use-datasets';
import { formatBytes, formatCount, formatPercent, formatUtcTime } from '../format';
import type { DatasetRecord } from '../store/schema';
import { sourceName } from '../store/source-label';

type Props = { datasets: Datasets };

/**
 * The start page's list of datasets kept in this browser: open, rename,
 * delete, and how much of the browser's storage they take.
 */
export function DatasetList({ datasets }: Props) {
  const { list, storeProblem } = datasets;
  if (storeProblem) return <StoreProblemNotice datasets={datasets} />;
  if (!list) return null;

  return (
    <section className="datasets" aria-labelledby="datasets-title">
      <div className="datasets__heading">
        <h2 id="datasets-title">Kept in this browser</h2>
        <StorageLine datasets={datasets} />
      </div>
      <label className="datasets__keep">
        <input
          type="checkbox"
          data-testid="keep-captures"
          checked={datasets.keepCaptures}
          onChange={(event) => datasets.setKeepCaptures(event.target.checked)}
        />
        Also keep the capture files themselves, for exporting packets
        later (they take as much room as the files)
      </label>
      {list.length === 0 ? (
        <p className="notice">
          Nothing yet. Every capture you open is kept here, to reopen later
          without reading it again, offline too.
        </p>
      ) : (
        <ul className="datasets__list">
          {list.map((record) => (
            <DatasetItem
              key={record.id}
              record={record}
              busy={datasets.busy.has(record.id)}
              datasets={datasets}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function StorageLine({ datasets }: Props) {
  const { storage, list } = datasets;
  const kept = (list ?? []).reduce((sum, r) => sum + r.storedBytes, 0);
  const used = storage?.usage ?? null;
  const quota = storage?.quota ?? null;
  return (
    <p
      className="datasets__storage"
      data-testid="dataset-storage"
      data-value={used ?? ''}
      data-quota={quota ?? ''}
    >
      Datasets: {formatBytes(kept)}.
      {used !== null && quota !== null && (
        <>
          {' '}This site uses {formatBytes(used)} of the{' '}
          {formatBytes(quota)} the browser allows it (
          {formatPercent(used, quota)}).
        </>
      )}
      {storage && !storage.persisted && (
        <> The browser may clear them when the disk runs short.</>
      )}
    </p>
  );
}

type ItemProps = {
  record: DatasetRecord;
  busy: boolean;
  datasets: Datasets;
};

function DatasetItem({ record, busy, datasets }: ItemProps) {
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const complete = record.state === 'complete';

  const attempt = (action: () => Promise<void>) => {
    setFailure(null);
    action().catch((error: unknown) =>
      setFailure(error instanceof Error ? error.message : String(error)));
  };

  return (
    <li
      className="dataset-item"
      data-testid="dataset-item"
      data-state={record.state}
      data-id={record.id}
    >
      <div className="dataset-item__main">
        {renaming ? (
          <RenameForm
            name={record.name}
            onDone={(name) => {
              setRenaming(false);
              if (name !== null && name !== record.name) {
                attempt(() => datasets.rename(record.id, name));
              }
            }}
          />
        ) : complete ? (
          <button
            type="button"
            className="dataset-item__name"
            data-testid="dataset-open"
            onClick={() => datasets.openDataset(record.id)}
          >
            {record.name}
          </button>
        ) : (
          <span className="dataset-item__name dataset-item__name--dead">
            {record.name}
          </span>
        )}
        <DatasetFacts record={record} busy={busy} />
      </div>

      <div className="dataset-item__actions">
        {confirming ? (
          <>
            <span>Delete it for good?</span>
            <button
              type="button"
              className="button button--danger"
              data-testid="dataset-delete-confirm"
              onClick={() => {
                setConfirming(false);
                attempt(() => datasets.remove(record.id));
              }}
            >
              Delete
            </button>
            <button
              type="button"
              className="button"
              onClick={() => setConfirming(false)}
            >
              Keep
            </button>
          </>
        ) : (
          <>
            {complete && (
              <button
                type="button"
                className="button"
                data-testid="dataset-rename"
                onClick={() => setRenaming(true)}
              >
                Rename
              </button>
            )}
            <button
              type="button"
              className="button"
              data-testid="dataset-delete"
              disabled={busy}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </>
        )}
      </div>
      {failure && <p className="dataset-item__failure">{failure}</p>}
    </li>
  );
}

function DatasetFacts({ record, busy }: { record: DatasetRecord; busy: boolean }) {
  if (record.state !== 'complete') {
    return (
      <p className="dataset-item__facts">
        {busy
          ? 'Being saved…'
          : 'Unfinished: its import stopped before it was saved. ' +
            'Delete it and open the capture again.'}
      </p>
    );
  }
  const { figures } = record;
  const sources = record.sources.map((s) => sourceName(s.label)).join(', ');
  const kept = record.sources.some((s) => s.captureBytes > 0);
  return (
    <p className="dataset-item__facts">
      {record.sources.length > 1
        ? `${record.sources.length} captures: ${sources}`
        : sources}
      {' · '}
      <span data-testid="dataset-flows" data-value={figures.flows}>
        {formatCount(figures.flows)} flows
      </span>
      {`, ${formatCount(figures.packets)} packets · `}
      {figures.firstSeen !== null &&
        `${formatUtcTime(figures.firstSeen)} to ` +
          `${formatUtcTime(figures.lastSeen)} UTC · `}
      {formatBytes(record.storedBytes)} kept
      {kept && ' with the captures'}
      {` · opened ${dateText(record.lastOpened)}`}
    </p>
  );
}

function RenameForm({
  name,
  onDone,
}: {
  name: string;
  onDone(name: string | null): void;
}) {
  const [text, setText] = useState(name);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = text.trim();
    onDone(trimmed.length > 0 ? trimmed : null);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onDone(null);
  };
  return (
    <form className="dataset-item__rename" onSubmit={submit}>
      <input
        aria-label="Dataset name"
        data-testid="dataset-name-input"
        value={text}
        autoFocus
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="button">
        Save
      </button>
    </form>
  );
}

function StoreProblemNotice({ datasets }: Props) {
  const problem = datasets.storeProblem!;
  const [clearing, setClearing] = useState(false);
  const clearable = problem.kind === 'newer' ||
    problem.kind === 'upgrade-failed' || problem.kind === 'damaged';
  return (
    <section
      className="datasets datasets--problem"
      data-testid="store-problem"
      data-kind={problem.kind}
    >
      <p>
        <strong>Saved datasets cannot be read.</strong> {problem.message}
        {clearable &&
          ' You can clear them and start afresh; opening a capture again ' +
            'reads it again.'}
      </p>
      {clearable && (
        <button
          type="button"
          className="button button--danger"
          data-testid="store-clear"
          disabled={clearing}
          onClick={() => {
            setClearing(true);
            void datasets.clearAll().finally(() => setClearing(false));
          }}
        >
          Clear saved datasets
        </button>
      )}
    </section>
  );
}

/** A moment as `2026-12-04 17:14 UTC`, the way capture times are shown. */
function dateText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
