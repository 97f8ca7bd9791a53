import type { Remote } from 'comlink';
import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import type { WorkerApi } from '../worker/protocol';
import type { GeoStatus } from '../worker/views-protocol';
import { loadGeoDatabase } from './geo-database-store';
import { ViewSettings } from './ViewSettings';
import { ViewsContext, type ViewsState } from './views-context';
import { TIME_MODES, type TimeMode } from './time-format';
import { loadHomeNetworks, loadTimeMode, saveTimeMode } from './view-settings';
import './views.css';

// Each view's code (ECharts, deck.gl) loads when its tab first opens, so
// an import pays for none of it.
const Overview = lazy(() => import('./Overview'));
const Statistics = lazy(() => import('./Statistics'));
const MapView = lazy(() => import('./map/MapView'));
const Findings = lazy(() => import('./Findings'));

type Tab = 'flows' | 'overview' | 'statistics' | 'map' | 'findings';

const TABS: ReadonlyArray<{ tab: Tab; label: string }> = [
  { tab: 'flows', label: 'Flows' },
  { tab: 'overview', label: 'Overview' },
  { tab: 'statistics', label: 'Statistics' },
  { tab: 'map', label: 'Map' },
  { tab: 'findings', label: 'Findings' },
];

type Props = {
  /** The open capture's worker, or null while none is ready. */
  worker: Remote<WorkerApi> | null;
  sessionId: number;
  /** The flows table, kept mounted so that its order survives a tab switch. */
  flows: ReactNode;
};

/** The tabs over one capture: its flows and the analysis views. */
export function AnalysisViews({ worker, sessionId, flows }: Props) {
  const [tab, setTab] = useState<Tab>('flows');
  const [timeMode, setTimeMode] = useState<TimeMode>(loadTimeMode);
  const [geo, setGeo] = useState<GeoStatus | null>(null);
  const [settingsRevision, setSettingsRevision] = useState(0);
  const [address, setAddress] = useState<string | null>(null);
  const [ready, setReady] = useState(false);

  // GeoIP runs as soon as the capture is in, with the user's database and
  // home networks, so the country filter and the views find it done.
  useEffect(() => {
    if (!worker) return;
    let current = true;
    setReady(false);
    void (async () => {
      const stored = await loadGeoDatabase();
      if (stored) await worker.setGeoDatabase(stored.bytes, stored.name);
      await worker.setHomeNetworks(loadHomeNetworks());
      const status = await worker.prepareViews();
      if (!current) return;
      setGeo(status);
      setReady(true);
    })();
    return () => {
      current = false;
    };
  }, [worker, sessionId]);

  const openAddress = useCallback((text: string) => {
    setAddress(text);
    setTab('statistics');
  }, []);

  const views = useMemo<ViewsState | null>(
    () => worker && ready
      ? { api: worker, revision: `${sessionId}:${settingsRevision}`,
        timeMode, geo, openAddress }
      : null,
    [worker, ready, sessionId, settingsRevision, timeMode, geo, openAddress],
  );

  const chooseTimeMode = (mode: TimeMode) => {
    setTimeMode(mode);
    saveTimeMode(mode);
  };

  return (
    <section className="views">
      <div className="views__bar">
        <div className="views__tabs" role="tablist" aria-label="Views">
          {TABS.map(({ tab: t, label }) => (
            <button
              key={t}
              type="button"
              role="tab"
              className="views__tab"
              aria-selected={tab === t}
              data-testid="view-tab"
              data-view={t}
              onClick={() => setTab(t)}
            >
              {label}
            </button>
          ))}
        </div>
        <label className="views__time">
          Times in{' '}
          <select
            value={timeMode}
            onChange={(event) =>
              chooseTimeMode(event.target.value as TimeMode)}
          >
            {TIME_MODES.map(({ mode, label }) => (
              <option key={mode} value={mode}>{label}</option>
            ))}
          </select>
        </label>
        {worker && (
          <ViewSettings
            worker={worker}
            geo={geo}
            onChange={(status) => {
              if (status) setGeo(status);
              setSettingsRevision((r) => r + 1);
            }}
          />
        )}
      </div>

      <div className="views__flows" hidden={tab !== 'flows'}>{flows}</div>
      {tab !== 'flows' && (
        <div className="views__panel" role="tabpanel">
          {views ? (
            <ViewsContext.Provider value={views}>
              <Suspense fallback={<p className="views__note">Loading…</p>}>
                {tab === 'overview' && <Overview />}
                {tab === 'statistics' && (
                  <Statistics address={address}
                    onAddress={setAddress} />
                )}
                {tab === 'map' && <MapView />}
                {tab === 'findings' && (
                  <Findings onShowFlows={() => setTab('flows')} />
                )}
              </Suspense>
            </ViewsContext.Provider>
          ) : (
            <p className="views__note">Locating addresses…</p>
          )}
        </div>
      )}
    </section>
  );
}
