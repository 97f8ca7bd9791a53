import { useSyncExternalStore } from 'react';
import { applyUpdate, onUpdateReady, updateReady } from './service-worker';
import './update-notice.css';

/** "A new version is ready", once a new build is installed and waiting. */
export function UpdateNotice() {
  const ready = useSyncExternalStore(onUpdateReady, updateReady);
  if (!ready) return null;

  return (
    <div className="update-notice" role="status" data-testid="update-notice">
      A new version of Capscope is ready.
      <button
        type="button"
        className="button button--primary"
        data-testid="update-reload"
        onClick={applyUpdate}
      >
        Reload
      </button>
    </div>
  );
}
