import type { AddressCountries } from '@capscope/analytics/aggregates/address-countries';
import {
  flowCountries,
  locateAddresses,
} from '@capscope/analytics/aggregates/address-countries';
import type { AddressIndex } from '@capscope/analytics/aggregates/address-index';
import {
  addressText,
  indexAddresses,
} from '@capscope/analytics/aggregates/address-index';
import {
  countryVolumes,
  remoteCountryVolumes,
} from '@capscope/analytics/aggregates/countries';
import { durationHistogram } from '@capscope/analytics/aggregates/durations';
import type { EndpointTotals } from '@capscope/analytics/aggregates/endpoints';
import {
  endpointTotals,
  roleRankings,
  topTalker,
} from '@capscope/analytics/aggregates/endpoints';
import type { FlowSet } from '@capscope/analytics/aggregates/flow-set';
import { keptMask, topIndexes } from '@capscope/analytics/aggregates/flow-set';
import { heatMap } from '@capscope/analytics/aggregates/heat-map';
import {
  DEFAULT_HOME_NETWORKS,
  homeMask,
  parseHomeNetworks,
  remoteSides,
} from '@capscope/analytics/aggregates/home-networks';
import { ipDetail } from '@capscope/analytics/aggregates/ip-detail';
import { flowHierarchy } from '@capscope/analytics/aggregates/protocol-hierarchy';
import { protocolVolumes } from '@capscope/analytics/aggregates/protocols';
import { transportVolumes } from '@capscope/analytics/aggregates/protocols';
import { protocolCountrySankey } from '@capscope/analytics/aggregates/sankey';
import {
  flowsExtent,
  timelineSeries,
} from '@capscope/analytics/aggregates/timeline';
import type { FlowVolumes } from '@capscope/analytics/aggregates/volumes';
import { ownVolumes } from '@capscope/analytics/aggregates/volumes';
import {
  compileFilterText,
  filterFlows,
} from '@capscope/analytics/filter/compile';
import type { Network } from '@capscope/analytics/filter/values';
import { transfer } from 'comlink';
import { GeoIp } from './geoip';
import type { WorkerDataset, WorkerState } from './state';
import type {
  CountryData,
  CountryPanelData,
  EndpointPage,
  EndpointQuery,
  EndpointRow,
  EndpointSortKey,
  GeoStatus,
  IpPageData,
  OverviewData,
  Ranking,
  StatisticsData,
  TimelineData,
  TimelineQuery,
  ViewsApi,
} from './views-protocol';

/** Rows in each top list of the statistics. */
const TOP_ROWS = 10;
/** Peers and addresses listed on an IP's page and a country's panel. */
const PEER_ROWS = 15;
/** A page of the endpoints table is small: only what is on screen is sent. */
const MAX_ENDPOINT_ROWS = 500;

/** What depends on the capture (and GeoIP, home networks), not the filter. */
interface Base {
  dataset: WorkerDataset;
  index: AddressIndex;
  volumes: FlowVolumes;
  located: AddressCountries;
  geoVersion: number;
  sides: Uint8Array;
  homeVersion: number;
  /** Address text -> index, made on the first lookup. */
  ids: Map<string, number> | null;
}

/** What depends on the filter too. */
interface Filtered {
  base: Base;
  filter: WorkerState['filter'];
  set: FlowSet;
  mask: Uint8Array;
  endpoints: EndpointTotals | null;
  orders: Map<string, Uint32Array>;
}

/**
 * The analysis views over the worker's state: every answer reads the flows
 * the current filter keeps (state.keptFlows()), and is cached until the
 * capture, the filter, the GeoIP database or the home networks change.
 */
export function createViewsApi(state: WorkerState): ViewsApi {
  const geo = new GeoIp();
  let homeNetworks: Network[] = parseHomeNetworks(DEFAULT_HOME_NETWORKS)
    .networks;
  let homeVersion = 0;
  let base: Base | null = null;
  let filtered: Filtered | null = null;

  async function currentBase(): Promise<Base> {
    const dataset = state.dataset;
    if (!dataset) throw new Error('No capture is open.');
    if (base?.dataset !== dataset) {
      const index = indexAddresses(dataset.columns);
      base = { dataset, index, volumes: ownVolumes(dataset.columns),
        located: { codes: [''], byAddress: new Uint16Array(index.count) },
        geoVersion: -1, sides: new Uint8Array(0), homeVersion: -1,
        ids: null };
      filtered = null;
    }
    const current = base;
    if (current.geoVersion !== geo.version) {
      const version = geo.version;
      const locator = await geo.locator();
      current.located = locateAddresses(current.index,
        (v, words, at) => locator.locate(v, words, at));
      current.geoVersion = version;
      dataset.countries = flowCountries(current.index, current.located);
      recompileCountryFilter(state);
      filtered = null;
    }
    if (current.homeVersion !== homeVersion) {
      current.sides = remoteSides(current.index,
        homeMask(current.index, homeNetworks));
      current.homeVersion = homeVersion;
    }
    return current;
  }

  async function current(): Promise<Filtered> {
    const b = await currentBase();
    if (filtered?.base === b && filtered.filter === state.filter) {
      return filtered;
    }
    const set: FlowSet = { columns: b.dataset.columns,
      kept: state.keptFlows(), volumes: b.volumes };
    filtered = { base: b, filter: state.filter, set, mask: keptMask(set),
      endpoints: null, orders: new Map() };
    return filtered;
  }

  const isFiltered = () => (state.filter?.matches ?? null) !== null;
  const codeOf = (b: Base, id: number) =>
    b.located.codes[b.located.byAddress[id]];

  function endpoints(f: Filtered): EndpointTotals {
    f.endpoints ??= endpointTotals(f.set, f.base.index);
    return f.endpoints;
  }

  function idOf(b: Base, address: string): number {
    if (b.ids === null) {
      b.ids = new Map();
      for (let id = 0; id < b.index.count; id++) {
        b.ids.set(addressText(b.index, id), id);
      }
    }
    return b.ids.get(address.trim().toLowerCase()) ?? -1;
  }

  return {
    async prepareViews(): Promise<GeoStatus> {
      try {
        await currentBase();
        return geo.status();
      } catch (error) {
        return geo.status(messageOf(error));
      }
    },

    async setGeoDatabase(bytes, name): Promise<GeoStatus> {
      try {
        await geo.setUserDatabase(bytes, name);
      } catch (error) {
        return geo.status(`${name} is not a MaxMind-format database ` +
          `(${messageOf(error)}).`);
      }
      if (state.dataset) await currentBase();
      return geo.status();
    },

    async setHomeNetworks(lines) {
      const parsed = parseHomeNetworks(lines);
      homeNetworks = parsed.networks;
      homeVersion++;
      return { errors: parsed.errors };
    },

    async overview(offsetMinutes): Promise<OverviewData> {
      const f = await current();
      const { dataset, sides } = f.base;
      const countries = dataset.countries!;
      const frames = !isFiltered() && dataset.hierarchy !== undefined;
      const mask = isFiltered() ? f.mask : null;
      return {
        hierarchy: frames ? dataset.hierarchy! : flowHierarchy(f.set),
        hierarchyLevel: frames ? 'frames' : 'flows',
        protocols: protocolVolumes(f.set),
        transports: transportVolumes(f.set),
        remoteCountries: remoteCountryVolumes(f.set, countries, sides),
        heatMap: heatMap(dataset.columns, dataset.activity ?? null, mask,
          offsetMinutes),
        sankey: protocolCountrySankey(f.set, countries, sides),
      };
    },

    async timeline(query: TimelineQuery): Promise<TimelineData | null> {
      const f = await current();
      const { dataset } = f.base;
      const c = dataset.columns;
      let mask = isFiltered() ? f.mask : null;
      if (query.address !== undefined) {
        const id = idOf(f.base, query.address);
        if (id < 0) return null;
        mask = ipDetail(f.set, ipContext(f.base), id, 0).mask;
      }
      const extent = flowsExtent(c, mask);
      if (extent === null) return null;
      const range = {
        fromSeconds: query.fromSeconds ?? extent.fromSeconds,
        toSeconds: query.toSeconds ?? extent.toSeconds,
      };
      const activity = dataset.activity ?? null;
      const series = timelineSeries(c, activity, mask, range, query.maxBins);
      const start = activity
        ? activity.startSeconds + activity.startNanos / 1e9
        : (flowsExtent(c, null)?.fromSeconds ?? range.fromSeconds);
      const data: TimelineData = { ...series, captureStartSeconds: start };
      return transfer(data, [series.packets.buffer, series.bytes.buffer,
        series.flows.buffer]);
    },

    async statistics(): Promise<StatisticsData> {
      const f = await current();
      const b = f.base;
      const totals = endpoints(f);
      const top = topTalker(totals);
      const rankings: Ranking[] = roleRankings(f.set, b.index, TOP_ROWS)
        .map((r) => ({ role: r.role, metric: r.metric,
          rows: r.ids.map((id, i) => ({ address: addressText(b.index, id),
            country: codeOf(b, id), value: r.values[i] })) }));
      return {
        topTalker: top < 0 ? null : { address: addressText(b.index, top),
          bytes: totals.bytesSent[top] + totals.bytesReceived[top] },
        rankings,
        protocols: protocolVolumes(f.set),
        countries: countryVolumes(f.set, b.dataset.countries!),
        durations: durationHistogram(f.set),
        endpointCount: totals.ids.length,
      };
    },

    async endpoints(query: EndpointQuery): Promise<EndpointPage> {
      const f = await current();
      const b = f.base;
      const totals = endpoints(f);
      const key = `${query.sort}:${query.descending}`;
      let order = f.orders.get(key);
      if (!order) {
        order = sortEndpoints(totals, b, query.sort, query.descending);
        f.orders.set(key, order);
      }
      const offset = Math.max(0, query.offset);
      const end = Math.min(order.length,
        offset + Math.min(query.limit, MAX_ENDPOINT_ROWS));
      const rows: EndpointRow[] = [];
      for (let i = offset; i < end; i++) {
        const id = order[i];
        const address = addressText(b.index, id);
        const place = geo.place(address);
        rows.push({ address, country: codeOf(b, id),
          flows: totals.flows[id],
          packetsSent: totals.packetsSent[id],
          packetsReceived: totals.packetsReceived[id],
          bytesSent: totals.bytesSent[id],
          bytesReceived: totals.bytesReceived[id],
          name: b.dataset.addressNames.get(address) ?? '',
          city: place?.city ?? '', network: place?.network ?? '' });
      }
      return { total: order.length, offset, rows };
    },

    async ipPage(address): Promise<IpPageData | null> {
      const f = await current();
      const id = idOf(f.base, address);
      if (id < 0) return null;
      const detail = ipDetail(f.set, ipContext(f.base), id, PEER_ROWS);
      const place = geo.place(detail.address);
      return { address: detail.address, country: detail.country,
        city: place?.city ?? '', network: place?.network ?? '',
        names: detail.names, asSource: detail.asSource,
        asDestination: detail.asDestination };
    },

    async countries(): Promise<CountryData> {
      const f = await current();
      const v = f.set.volumes;
      let bytes = 0;
      for (const flow of f.set.kept) bytes += v.bytesOut[flow] + v.bytesIn[flow];
      return { rows: countryVolumes(f.set, f.base.dataset.countries!),
        flows: f.set.kept.length, bytes };
    },

    async countryPanel(code): Promise<CountryPanelData> {
      const f = await current();
      const b = f.base;
      const countries = b.dataset.countries!;
      const wanted = countries.codes.indexOf(code);
      const row = countryVolumes(f.set, countries)
        .find((r) => r.code === code);

      // The country's own addresses, by the bytes of their kept flows.
      const totals = endpoints(f);
      const bytes = new Float64Array(b.index.count);
      for (const id of totals.ids) {
        if (b.located.byAddress[id] === wanted) {
          bytes[id] = totals.bytesSent[id] + totals.bytesReceived[id];
        }
      }
      const addresses = topIndexes(bytes, PEER_ROWS).map((id) => ({
        address: addressText(b.index, id), country: code,
        flows: totals.flows[id], bytes: bytes[id] }));

      const inCountry = f.set.kept.filter((flow) =>
        countries.src[flow] === wanted || countries.dst[flow] === wanted);
      const protocols = protocolVolumes({ ...f.set, kept: inCountry })
        .map((p) => ({ label: p.label, filter: p.filter, flows: p.flows,
          bytes: p.bytes }));

      const v = b.volumes;
      let captureBytes = 0;
      for (let flow = 0; flow < b.dataset.columns.count; flow++) {
        captureBytes += v.bytesOut[flow] + v.bytesIn[flow];
      }
      return { code, flows: row?.flows ?? 0, bytes: row?.bytes ?? 0,
        bytesSent: row?.bytesSent ?? 0,
        bytesReceived: row?.bytesReceived ?? 0, captureBytes,
        captureFlows: b.dataset.columns.count, addresses, protocols };
    },
  };

  function ipContext(b: Base) {
    return { index: b.index, countries: b.located, names: b.dataset.names,
      addressNames: b.dataset.addressNames };
  }
}

/**
 * A filter compiled before countries were known (or with another
 * database's) named no country or the wrong ones: compile its same text
 * again over the new countries.
 */
function recompileCountryFilter(state: WorkerState): void {
  const filter = state.filter;
  const dataset = state.dataset;
  if (!filter || !dataset || !/country/i.test(filter.text)) return;
  const { columns } = dataset;
  const predicate = compileFilterText(filter.text,
    state.filterContext(dataset));
  state.filter = { ...filter, predicate,
    matches: filter.matches ? filterFlows(predicate, columns.count) : null };
}

function sortEndpoints(
  totals: EndpointTotals,
  b: Base,
  key: EndpointSortKey,
  descending: boolean,
): Uint32Array {
  const order = totals.ids.slice();
  const sign = descending ? -1 : 1;
  let compare: (a: number, z: number) => number;
  switch (key) {
    case 'address': {
      const { version, words } = b.index;
      compare = (a, z) => {
        if (version[a] !== version[z]) return version[a] - version[z];
        for (let i = 0; i < 4; i++) {
          const diff = words[a * 4 + i] - words[z * 4 + i];
          if (diff !== 0) return diff;
        }
        return 0;
      };
      break;
    }
    case 'country': {
      const { codes, byAddress } = b.located;
      compare = (a, z) => {
        const x = codes[byAddress[a]];
        const y = codes[byAddress[z]];
        return x < y ? -1 : x > y ? 1 : 0;
      };
      break;
    }
    default: {
      const values = totals[key];
      compare = (a, z) => values[a] - values[z];
    }
  }
  return order.sort((a, z) => sign * compare(a, z) || a - z);
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}
