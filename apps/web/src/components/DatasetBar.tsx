import type { ChangeEvent } from 'react';
import type { Datasets } from '../datasets/use-datasets';
import { formatBytes, formatCount } from '../format';
import { sourceName } from '../store/source-label';
import { ErrorMessage } from './ErrorMessage';

type Props = {
  datasets: Datasets;
  /** The capture or dataset name the page shows. */
  fileName: string;
  /** False when the last step failed: the dataset is as it was. */
  shown: boolean;
};

/**
 * The dataset on screen: whether it is kept yet, its captures (each can be
 * removed), and more captures to add to it.
 */
export function DatasetBar({ datasets, fileName, shown }: Props) {
  const { current, saveStatus, saveError } = datasets;

  const onAdd = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    if (files.length > 0) datasets.addFiles(files);
  };

  return (
    <section
      className="dataset-bar"
      data-testid="dataset-status"
      data-state={saveStatus}
      data-id={current?.id ?? ''}
    >
      {saveStatus === 'saving' && (
        <p className="notice">Keeping this capture in the browser…</p>
      )}
      {saveStatus === 'failed' && saveError && (
        <ErrorMessage error={saveError} fileName={fileName} />
      )}
      {current && !shown && (
        <p className="notice">
          The dataset <strong>{current.name}</strong> is unchanged.{' '}
          <button
            type="button"
            className="button"
            onClick={() => datasets.openDataset(current.id)}
          >
            Open it again
          </button>
        </p>
      )}
      {current && shown && (
        <div className="dataset-bar__row">
          <span className="dataset-bar__name">
            Dataset <strong>{current.name}</strong>, kept in this browser
          </span>
          <ul className="dataset-bar__sources">
            {current.sources.map((source) => (
              <li
                key={source.part.id}
                className="dataset-bar__source"
                data-testid="source-item"
                data-id={source.part.id}
              >
                {sourceName(source.label)}{' '}
                <small>
                  {formatBytes(source.fileBytes)},{' '}
                  {formatCount(source.part.flows)} flows
                </small>
                {current.sources.length > 1 && (
                  <button
                    type="button"
                    className="dataset-bar__remove"
                    data-testid="source-remove"
                    aria-label={`Remove ${sourceName(source.label)}`}
                    title="Remove this capture from the dataset"
                    onClick={() => datasets.removeSource(source.part.id)}
                  >
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
          <label className="button">
            Add captures…
            <input
              type="file"
              multiple
              className="visually-hidden"
              data-testid="add-source-input"
              onChange={onAdd}
            />
          </label>
        </div>
      )}
      {(current || saveStatus !== 'idle' || !shown) && (
        <button
          type="button"
          className="button dataset-bar__back"
          data-testid="show-datasets"
          onClick={datasets.showList}
        >
          All datasets
        </button>
      )}
    </section>
  );
}
