import type { FlowCountries } from '../geo.js';
import { countryFilter, LOCAL_ONLY } from './countries.js';
import type { FlowSet } from './flow-set.js';
import { REMOTE_NONE, REMOTE_SRC } from './home-networks.js';
import {
  PROTOCOL_KEYS,
  protocolFilter,
  protocolKey,
  protocolLabel,
} from './protocols.js';

/** Nodes per side; the rest merge into "other", so the chart stays legible. */
const MAX_PROTOCOLS = 8;
const MAX_COUNTRIES = 10;
const OTHER = 'other';

export interface SankeyNode {
  /** Unique across both sides: "p:tls", "c:DE". */
  id: string;
  label: string;
  side: 'protocol' | 'country';
  /** Filter term for this node, or null ("other", local). */
  filter: string | null;
}

export interface SankeyLink {
  source: string;
  target: string;
  bytes: number;
  flows: number;
}

export interface SankeyData {
  nodes: SankeyNode[];
  links: SankeyLink[];
}

/** Bytes from each protocol to the country of the flows' remote end. */
export function protocolCountrySankey(
  set: FlowSet,
  countries: FlowCountries,
  sides: Uint8Array,
): SankeyData {
  const { columns: c, volumes: v } = set;
  const local = countries.codes.length;
  const codeCount = local + 1; // + LOCAL_ONLY
  const bytes = new Float64Array(PROTOCOL_KEYS * codeCount);
  const flows = new Float64Array(PROTOCOL_KEYS * codeCount);
  const byProtocol = new Float64Array(PROTOCOL_KEYS);
  const byCountry = new Float64Array(codeCount);
  for (const flow of set.kept) {
    const side = sides[flow];
    const code = side === REMOTE_NONE ? local
      : side === REMOTE_SRC ? countries.src[flow] : countries.dst[flow];
    const key = protocolKey(c, flow);
    const volume = v.bytesOut[flow] + v.bytesIn[flow];
    bytes[key * codeCount + code] += volume;
    flows[key * codeCount + code]++;
    byProtocol[key] += volume;
    byCountry[code] += volume;
  }

  const topKeys = new Set(topOf(byProtocol, MAX_PROTOCOLS));
  const topCodes = new Set(topOf(byCountry, MAX_COUNTRIES));
  const codeText = (code: number) =>
    code === local ? LOCAL_ONLY : countries.codes[code] || 'unknown';
  const links = new Map<string, SankeyLink>();
  const nodes = new Map<string, SankeyNode>();
  for (let key = 0; key < PROTOCOL_KEYS; key++) {
    if (byProtocol[key] === 0) continue;
    const named = topKeys.has(key);
    const source = `p:${named ? protocolLabel(key) : OTHER}`;
    nodes.set(source, { id: source, label: source.slice(2), side: 'protocol',
      filter: named ? protocolFilter(key) : null });
    for (let code = 0; code < codeCount; code++) {
      const value = bytes[key * codeCount + code];
      if (value === 0) continue;
      const shown = topCodes.has(code);
      const target = `c:${shown ? codeText(code) : OTHER}`;
      nodes.set(target, { id: target, label: target.slice(2),
        side: 'country',
        filter: shown && code !== local
          ? countryFilter(countries.codes[code]) : null });
      const id = `${source}>${target}`;
      const link = links.get(id) ?? { source, target, bytes: 0, flows: 0 };
      link.bytes += value;
      link.flows += flows[key * codeCount + code];
      links.set(id, link);
    }
  }
  return { nodes: [...nodes.values()], links: [...links.values()] };
}

function topOf(values: Float64Array, limit: number): number[] {
  return [...values.keys()].filter((i) => values[i] > 0)
    .sort((a, b) => values[b] - values[a]).slice(0, limit);
}
