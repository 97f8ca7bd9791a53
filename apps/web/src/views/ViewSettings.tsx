import type { Remote } from 'comlink';
import { useId, useState } from 'react';
import { DEFAULT_HOME_NETWORKS } from '@capscope/analytics/aggregates/home-networks';
import type { WorkerApi } from '../worker/protocol';
import type { GeoStatus } from '../worker/views-protocol';
import { saveGeoDatabase } from './geo-database-store';
import { loadHomeNetworks, saveHomeNetworks } from './view-settings';

type Props = {
  worker: Remote<WorkerApi>;
  geo: GeoStatus | null;
  /** Called after a change the views must redraw for. */
  onChange(status: GeoStatus | null): void;
};

/**
 * The views' settings: which networks are "home" (the rest of the world
 * is remote), and a MaxMind-format database of the user's own.
 */
export function ViewSettings({ worker, geo, onChange }: Props) {
  const [open, setOpen] = useState(false);
  const [homeText, setHomeText] = useState(() => loadHomeNetworks().join('\n'));
  const [homeErrors, setHomeErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const homeId = useId();

  const applyHome = async (text: string) => {
    const lines = text.split('\n');
    const outcome = await worker.setHomeNetworks(lines);
    setHomeErrors(outcome.errors);
    saveHomeNetworks(lines);
    onChange(null);
  };

  const chooseDatabase = async (file: File | null) => {
    setBusy(true);
    try {
      const bytes = file ? await file.arrayBuffer() : null;
      const status = await worker.setGeoDatabase(bytes, file?.name ?? '');
      if (!status.error) {
        await saveGeoDatabase(file && bytes ? { name: file.name, bytes } : null);
      }
      onChange(status);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="settings">
      <button type="button" className="button" aria-expanded={open}
        onClick={() => setOpen(!open)}>
        Networks and GeoIP
      </button>
      {open && (
        <div className="settings__panel">
          <label htmlFor={homeId} className="settings__label">
            Home networks, one per line: their addresses are local, the
            other end of a flow is remote
          </label>
          <textarea id={homeId} rows={6} value={homeText}
            spellCheck={false}
            onChange={(event) => setHomeText(event.target.value)} />
          {homeErrors.map((error) => (
            <p key={error} className="settings__error">{error}</p>
          ))}
          <div className="settings__row">
            <button type="button" className="button"
              onClick={() => void applyHome(homeText)}>
              Apply
            </button>
            <button type="button" className="button button--quiet"
              onClick={() => {
                const text = DEFAULT_HOME_NETWORKS.join('\n');
                setHomeText(text);
                void applyHome(text);
              }}>
              Private ranges only
            </button>
          </div>

          <p className="settings__label">
            Countries from: <strong>{geo?.name ?? '…'}</strong>
            {geo?.kind === 'city' && ' (cities too)'}
            {geo?.kind === 'asn' && ' (networks; countries from the bundled database)'}
          </p>
          {geo?.error && <p className="settings__error">{geo.error}</p>}
          <div className="settings__row">
            <label className="button">
              Use a MaxMind database (.mmdb)…
              <input type="file" accept=".mmdb" className="visually-hidden"
                disabled={busy}
                onChange={(event) =>
                  void chooseDatabase(event.target.files?.[0] ?? null)} />
            </label>
            {geo?.user && (
              <button type="button" className="button button--quiet"
                disabled={busy} onClick={() => void chooseDatabase(null)}>
                Back to the bundled database
              </button>
            )}
          </div>
          <p className="settings__hint">
            A City or ASN database adds cities and networks to the endpoints
            and address pages. It stays in this browser.
          </p>
        </div>
      )}
    </div>
  );
}
