import type { Remote } from 'comlink';
import { createContext, useContext } from 'react';
import type { WorkerApi } from '../worker/protocol';
import type { GeoStatus } from '../worker/views-protocol';
import type { TimeMode } from './time-format';

/** What every analysis view shares besides the filter. */
export interface ViewsState {
  /** The open capture's worker. */
  api: Remote<WorkerApi>;
  /** Changes with each capture and each change of GeoIP or home networks. */
  revision: string;
  timeMode: TimeMode;
  geo: GeoStatus | null;
  /** Opens an address's own page (in Statistics). */
  openAddress(address: string): void;
}

export const ViewsContext = createContext<ViewsState | null>(null);

export function useViews(): ViewsState {
  const views = useContext(ViewsContext);
  if (!views) throw new Error('useViews outside AnalysisViews');
  return views;
}
