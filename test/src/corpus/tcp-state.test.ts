import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DecodedPacket, decodePacket } from '@capscope/parser/decode';
import { formatAddress } from '@capscope/analytics/address';
import { CaptureReader } from '@capscope/parser/reader';
import { NotACaptureError } from '@capscope/parser/problems';
import { analyseFile, CORPUS_DIR, corpusFiles, endpointKey } from './corpus.js';

/**
 * A plain reference: every TCP connection's flags by side, from the
 * packets themselves, and Zeek's state rules written out long-hand.
 */
interface Connection {
  key: string;
  origin: string;
  syn: boolean; // originator's SYN without ACK
  synAck: boolean; // responder's SYN+ACK
  finO: boolean;
  finR: boolean;
  rstO: boolean;
  rstR: boolean;
  replies: number;
}

function referenceStates(name: string): string[] {
  const open = new Map<string, Connection>();
  const all: Connection[] = [];
  const decoded = new DecodedPacket();
  const reader = new CaptureReader({
    packet(record) {
      decodePacket(record, decoded);
      for (let i = 0; i < decoded.layerCount; i++) {
        const layer = decoded.layers[i];
        if (layer.protocol !== 6 || layer.tcpFlags < 0 || layer.fragment) {
          continue;
        }
        const words = (at: number) => {
          const w = [0, 0, 0, 0];
          const n = layer.version === 4 ? 1 : 4;
          for (let j = 0; j < n; j++) {
            const p = at + j * 4;
            const b = record.data;
            w[j] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) |
              b[p + 3]) >>> 0;
          }
          return formatAddress(layer.version, w, 0);
        };
        const src = `${words(layer.srcOffset)} ${layer.srcPort}`;
        const dst = `${words(layer.dstOffset)} ${layer.dstPort}`;
        const key = src < dst ? `${src} | ${dst}` : `${dst} | ${src}`;
        const flags = layer.tcpFlags;
        const syn = (flags & 0x12) === 0x02;
        let c = open.get(key);
        const closed = c && ((c.finO && c.finR) || c.rstO || c.rstR);
        if (!c || (closed && syn)) {
          c = { key, origin: src, syn: false, synAck: false, finO: false,
            finR: false, rstO: false, rstR: false, replies: 0 };
          open.set(key, c);
          all.push(c);
        }
        const fromOrigin = src === c.origin;
        if (!fromOrigin) c.replies++;
        if (syn && fromOrigin) c.syn = true;
        if ((flags & 0x12) === 0x12 && !fromOrigin) c.synAck = true;
        if (flags & 0x01) fromOrigin ? (c.finO = true) : (c.finR = true);
        if (flags & 0x04) fromOrigin ? (c.rstO = true) : (c.rstR = true);
      }
    },
    problem() {},
  });
  try {
    reader.push(new Uint8Array(readFileSync(CORPUS_DIR + name)));
    reader.end();
  } catch (error) {
    if (!(error instanceof NotACaptureError)) throw error;
  }
  return all.map((c) => {
    let state: string;
    if (c.syn && c.synAck) {
      state = c.rstO ? 'RSTO' : c.rstR ? 'RSTR' : c.finO && c.finR ? 'SF'
        : c.finO ? 'S2' : c.finR ? 'S3' : 'S1';
    } else if (c.syn) {
      state = c.rstR ? 'REJ' : c.rstO ? 'RSTOS0' : c.finO ? 'SH'
        : c.replies === 0 ? 'S0' : 'OTH';
    } else if (c.synAck && c.rstR) {
      state = 'RSTRH';
    } else if (c.synAck && c.finR) {
      state = 'SHR';
    } else {
      state = 'OTH';
    }
    return `${c.key} ${state}`;
  }).sort();
}

test('TCP states agree with a plain reference on every shared capture',
  () => {
    let connections = 0;
    const seen = new Set<string>();
    for (const name of corpusFiles()) {
      const { flows } = analyseFile(name);
      const ours = flows.filter((f) => f.proto === 'tcp' && f.srcPort !== null)
        .map((f) => `${endpointKey('', f.src, f.srcPort, f.dst, f.dstPort)
          .slice(1)} ${f.state}`).sort();
      assert.deepEqual(ours, referenceStates(name), name);
      connections += ours.length;
      for (const line of ours) seen.add(line.split(' ').pop() as string);
    }
    assert.ok(connections > 1000);
    // The corpus exercises more than one state.
    assert.ok(seen.size >= 4, [...seen].join(' '));
  });
