import type { FlowCountries } from '../geo.js';
import type { FlowSet, Volume } from './flow-set.js';
import { REMOTE_NONE, REMOTE_SRC } from './home-networks.js';

/** Where both ends are home, the remote country is this. */
export const LOCAL_ONLY = 'local';

export interface CountryVolume extends Volume {
  /** ISO 3166 alpha-2, an address class, '' for unknown, or LOCAL_ONLY. */
  code: string;
  /** Bytes that addresses in the country sent, and received. */
  bytesSent: number;
  bytesReceived: number;
  /** Filter expression keeping these flows, or null where none can. */
  filter: string | null;
}

/** The filter term for a country or class, as `country == "DE"`. */
export function countryFilter(code: string): string | null {
  return code === '' || code === LOCAL_ONLY ? null : `country == "${code}"`;
}

/**
 * Totals by country, a flow counting in each country one of its ends is
 * in (once when both are), as the filter `country == "XX"` keeps it: a
 * country's flows here are the flows that filter leaves.
 */
export function countryVolumes(
  set: FlowSet,
  countries: FlowCountries,
): CountryVolume[] {
  const { volumes: v } = set;
  const t = tallies(countries.codes.length);
  for (const flow of set.kept) {
    const s = countries.src[flow];
    const d = countries.dst[flow];
    const out = v.bytesOut[flow];
    const back = v.bytesIn[flow];
    const packets = v.packetsOut[flow] + v.packetsIn[flow];
    if (s === d) {
      // Inside one country: it sent and received all of it.
      add(t, s, packets, out + back, out + back, out + back);
      continue;
    }
    add(t, s, packets, out + back, out, back);
    add(t, d, packets, out + back, back, out);
  }
  return rows(t, countries.codes);
}

/**
 * Totals by the country of each flow's remote end (see remoteSides);
 * flows that stay inside the home networks count as LOCAL_ONLY. Sent and
 * received are the remote side's.
 */
export function remoteCountryVolumes(
  set: FlowSet,
  countries: FlowCountries,
  sides: Uint8Array,
): CountryVolume[] {
  const { volumes: v } = set;
  const local = countries.codes.length;
  const t = tallies(local + 1);
  for (const flow of set.kept) {
    const side = sides[flow];
    const out = v.bytesOut[flow];
    const back = v.bytesIn[flow];
    const packets = v.packetsOut[flow] + v.packetsIn[flow];
    const bytes = out + back;
    if (side === REMOTE_NONE) add(t, local, packets, bytes, out, back);
    else if (side === REMOTE_SRC) {
      add(t, countries.src[flow], packets, bytes, out, back);
    } else add(t, countries.dst[flow], packets, bytes, back, out);
  }
  return rows(t, [...countries.codes, LOCAL_ONLY]);
}

interface Tallies {
  flows: Float64Array;
  packets: Float64Array;
  bytes: Float64Array;
  sent: Float64Array;
  received: Float64Array;
}

function tallies(n: number): Tallies {
  return { flows: new Float64Array(n), packets: new Float64Array(n),
    bytes: new Float64Array(n), sent: new Float64Array(n),
    received: new Float64Array(n) };
}

function add(
  t: Tallies,
  code: number,
  packets: number,
  bytes: number,
  sent: number,
  received: number,
): void {
  t.flows[code]++;
  t.packets[code] += packets;
  t.bytes[code] += bytes;
  t.sent[code] += sent;
  t.received[code] += received;
}

function rows(t: Tallies, codes: readonly string[]): CountryVolume[] {
  const out: CountryVolume[] = [];
  for (let i = 0; i < codes.length; i++) {
    if (t.flows[i] === 0) continue;
    out.push({ code: codes[i], filter: countryFilter(codes[i]),
      flows: t.flows[i], packets: t.packets[i], bytes: t.bytes[i],
      bytesSent: t.sent[i], bytesReceived: t.received[i] });
  }
  return out.sort((a, b) => b.flows - a.flows || b.bytes - a.bytes);
}
