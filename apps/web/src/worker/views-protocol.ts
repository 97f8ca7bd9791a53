// The analysis views' side of the worker boundary: types only. Every
// answer is an aggregate of the flows the current filter keeps, small
// enough to clone, or typed arrays that are transferred.

import type { CountryVolume } from '@capscope/analytics/aggregates/countries';
import type { DurationHistogram } from '@capscope/analytics/aggregates/durations';
import type { HeatMap } from '@capscope/analytics/aggregates/heat-map';
import type {
  IpRole,
  LabelledVolume,
  PeerVolume,
} from '@capscope/analytics/aggregates/ip-detail';
import type { HierarchyNode } from '@capscope/analytics/aggregates/protocol-hierarchy';
import type { ProtocolVolume } from '@capscope/analytics/aggregates/protocols';
import type { SankeyData } from '@capscope/analytics/aggregates/sankey';

/** Which database names countries, and what it adds. */
export interface GeoStatus {
  kind: 'country' | 'city' | 'asn';
  name: string;
  /** True for a database the user gave. */
  user: boolean;
  error?: string;
}

export interface HomeNetworksOutcome {
  /** Entries that are no network; the others are in force. */
  errors: string[];
}

export interface OverviewData {
  /** Frames by header chain; by flows (`level`) once a filter is set. */
  hierarchy: HierarchyNode[];
  hierarchyLevel: 'frames' | 'flows';
  protocols: ProtocolVolume[];
  transports: ProtocolVolume[];
  remoteCountries: CountryVolume[];
  heatMap: HeatMap;
  sankey: SankeyData;
}

export interface TimelineQuery {
  /** UTC epoch seconds; the kept flows' span when absent. */
  fromSeconds?: number;
  toSeconds?: number;
  maxBins: number;
  /** Only the flows of this address (the IP page's timeline). */
  address?: string;
}

export interface TimelineData {
  fromSeconds: number;
  binSeconds: number;
  packets: Float64Array;
  bytes: Float64Array;
  flows: Float64Array;
  /** False when volumes were spread over flow spans (no traffic record). */
  exact: boolean;
  /** First packet of the capture, for times relative to it. */
  captureStartSeconds: number;
}

export interface RankedAddress {
  address: string;
  country: string;
  value: number;
}

export interface Ranking {
  role: 'source' | 'destination';
  metric: 'flows' | 'bytesSent' | 'bytesReceived';
  rows: RankedAddress[];
}

export interface StatisticsData {
  /** The address with the most bytes, sent and received. */
  topTalker: { address: string; bytes: number } | null;
  rankings: Ranking[];
  protocols: ProtocolVolume[];
  countries: CountryVolume[];
  durations: DurationHistogram;
  endpointCount: number;
}

export type EndpointSortKey =
  | 'address'
  | 'flows'
  | 'packetsSent'
  | 'packetsReceived'
  | 'bytesSent'
  | 'bytesReceived'
  | 'country';

export interface EndpointRow {
  address: string;
  country: string;
  flows: number;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Names the capture's DNS gave it; city and network from a user database. */
  name: string;
  city: string;
  network: string;
}

export interface EndpointQuery {
  sort: EndpointSortKey;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface EndpointPage {
  total: number;
  offset: number;
  rows: EndpointRow[];
}

export interface IpPageData {
  address: string;
  country: string;
  city: string;
  network: string;
  names: string[];
  asSource: IpRole;
  asDestination: IpRole;
}

export interface CountryData {
  /** Countries and address classes; a flow counts in each of its ends'. */
  rows: CountryVolume[];
  /** The kept flows' totals, for shares. */
  flows: number;
  bytes: number;
}

export interface CountryPanelData {
  code: string;
  flows: number;
  bytes: number;
  bytesSent: number;
  bytesReceived: number;
  /** The capture's bytes, unfiltered: the country's share is of these. */
  captureBytes: number;
  captureFlows: number;
  addresses: PeerVolume[];
  protocols: LabelledVolume[];
}

/** The views' queries (views-api.ts). */
export interface ViewsApi {
  /** Runs GeoIP on the capture if it has not run, and says which database. */
  prepareViews(): Promise<GeoStatus>;
  /** Sets a user's MaxMind-format database (null: back to the bundled one). */
  setGeoDatabase(bytes: ArrayBuffer | null, name: string): Promise<GeoStatus>;
  setHomeNetworks(lines: string[]): Promise<HomeNetworksOutcome>;
  overview(offsetMinutes: number): Promise<OverviewData>;
  timeline(query: TimelineQuery): Promise<TimelineData | null>;
  statistics(): Promise<StatisticsData>;
  endpoints(query: EndpointQuery): Promise<EndpointPage>;
  ipPage(address: string): Promise<IpPageData | null>;
  countries(): Promise<CountryData>;
  countryPanel(code: string): Promise<CountryPanelData>;
}
