import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import type { FlowRecord } from '@capscope/analytics/flow-record';
import { flowRecord } from '@capscope/analytics/flow-record';
import { NotACaptureError } from '@capscope/parser/problems';

/** The shared corpus sits beside the checkout, in CI as here. */
export const CORPUS_DIR = fileURLToPath(
  new URL('../../../../shared/captures/', import.meta.url));

export interface Conversation {
  proto: string;
  a: string;
  aport: number | null;
  b: string;
  bport: number | null;
  packets: number;
  bytes: number;
}

export interface Truth {
  file: string;
  capinfos: {
    status: string;
    packets: number | null;
    data_size_bytes: number | null;
    first_packet_time_utc: string | null;
    last_packet_time_utc: string | null;
  };
  tshark: {
    status: string;
    conversations?: Conversation[];
  };
}

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((name) => /\.(pcap|pcapng|cap)$/.test(name))
    .sort();
}

export function readTruth(name: string): Truth {
  return JSON.parse(
    readFileSync(`${CORPUS_DIR}${name}.truth.json`, 'utf8')) as Truth;
}

export interface Analysed {
  analysis: CaptureAnalysis | null;
  refused: NotACaptureError | null;
  flows: FlowRecord[];
}

export function analyseFile(
  name: string,
  chunkBytes = Number.MAX_SAFE_INTEGER,
): Analysed {
  const file = new Uint8Array(readFileSync(CORPUS_DIR + name));
  const analysis = new CaptureAnalysis();
  try {
    for (let at = 0; at < file.length; at += chunkBytes) {
      analysis.push(file.subarray(at, Math.min(file.length, at + chunkBytes)));
    }
    analysis.end();
  } catch (error) {
    if (error instanceof NotACaptureError) {
      return { analysis: null, refused: error, flows: [] };
    }
    throw error;
  }
  const columns = analysis.flows.columns;
  const context = { timeDigits: analysis.totals.timeDigits, names: [] };
  const flows: FlowRecord[] = [];
  for (let i = 0; i < columns.count; i++) {
    flows.push(flowRecord(columns, i, context));
  }
  return { analysis, refused: null, flows };
}

/** A conversation's endpoints in a fixed order, so direction is moot. */
export function endpointKey(
  proto: string,
  a: string,
  aPort: number | null,
  b: string,
  bPort: number | null,
): string {
  const x = `${a} ${aPort ?? '-'}`;
  const y = `${b} ${bPort ?? '-'}`;
  return `${proto} ${x < y ? `${x} | ${y}` : `${y} | ${x}`}`;
}
