import type { UrlImportRequest } from '../import/url/open-url';
import './url-import.css';

type Props = {
  request: UrlImportRequest;
  onOpen(): void;
  onCancel(): void;
};

/** Asks before a plain-http URL off this computer is fetched. */
export function UrlConfirm({ request, onOpen, onCancel }: Props) {
  return (
    <div className="notice url-confirm" role="alertdialog" data-testid="url-confirm">
      <p>{request.confirm}</p>
      <p className="url-confirm__url">
        <code>{request.withoutQuery}</code>
      </p>
      <div className="url-confirm__actions">
        <button
          type="button"
          className="button"
          data-testid="url-confirm-open"
          onClick={onOpen}
        >
          Open anyway
        </button>
        <button
          type="button"
          className="button button--primary"
          data-testid="url-confirm-cancel"
          onClick={onCancel}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
