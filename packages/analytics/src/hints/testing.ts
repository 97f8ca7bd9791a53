/**
 * Transport payloads from the sample captures, for the hint tests. Node
 * only (it reads files); the hints themselves use no Node API.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DecodedPacket, decodePacket } from '@capscope/parser/decode';
import { CaptureReader } from '@capscope/parser/reader';

export const CORPUS = fileURLToPath(
  new URL('../../../../../shared/captures/', import.meta.url),
);

export interface CapturedPayload {
  /** Packet number, from 1 as in Wireshark. */
  index: number;
  /** 6 for TCP, 17 for UDP. */
  protocol: number;
  srcPort: number;
  dstPort: number;
  /** The two endpoints, in a fixed order: equal for both directions. */
  flow: string;
  /** The endpoint that sent this packet. */
  sender: string;
  /** A copy: the reader's buffers are reused. */
  payload: Uint8Array;
}

function endpoint(b: Uint8Array, at: number, version: number, port: number) {
  const length = version === 4 ? 4 : 16;
  return `${Array.from(b.subarray(at, at + length)).join('.')}:${port}`;
}

/** Every TCP or UDP packet of a capture with a non-empty payload. */
export function capturePayloads(name: string): CapturedPayload[] {
  const payloads: CapturedPayload[] = [];
  const decoded = new DecodedPacket();
  const reader = new CaptureReader({
    packet(record) {
      decodePacket(record, decoded);
      const layer = decoded.innermost;
      if (layer === null || layer.payloadLength === 0) return;
      if (layer.protocol !== 6 && layer.protocol !== 17) return;
      const b = record.data;
      const src = endpoint(b, layer.srcOffset, layer.version, layer.srcPort);
      const dst = endpoint(b, layer.dstOffset, layer.version, layer.dstPort);
      const start = layer.payloadOffset;
      payloads.push({
        index: record.index,
        protocol: layer.protocol,
        srcPort: layer.srcPort,
        dstPort: layer.dstPort,
        flow: `${layer.protocol} ${[src, dst].sort().join(' ')}`,
        sender: src,
        payload: b.slice(start, start + layer.payloadLength),
      });
    },
    problem() {},
  });
  reader.push(new Uint8Array(readFileSync(CORPUS + name)));
  reader.end();
  return payloads;
}

/** The first payload of each flow, in file order. */
export function firstPayloads(payloads: CapturedPayload[]): CapturedPayload[] {
  const seen = new Set<string>();
  return payloads.filter((p) => !seen.has(p.flow) && seen.add(p.flow));
}

/** A small deterministic generator (an LCG), so fuzz runs repeat. */
export function randomBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function u16be(value: number): number[] {
  return [value >>> 8, value & 0xff];
}

/**
 * A view of b[at, end) that throws when a reader touches a byte outside
 * it, so a test can show a reader never reads past `end`. Only index reads
 * and `length` work: methods such as subarray are refused by the engine.
 */
export function guarded(b: Uint8Array, at: number, end: number): Uint8Array {
  return new Proxy(b, {
    get(target, key) {
      if (typeof key === 'string' && /^[0-9]+$/.test(key)) {
        const index = Number(key);
        if (index < at || index >= end) {
          throw new RangeError(`read b[${index}] outside [${at}, ${end})`);
        }
        return target[index];
      }
      return Reflect.get(target, key);
    },
  });
}

/** A TLS extension: type(2) length(2) data. */
export function tlsExtension(type: number, data: number[]): number[] {
  return [...u16be(type), ...u16be(data.length), ...data];
}

export function serverNameExtension(name: string): number[] {
  const host = [...asciiBytes(name)];
  const entry = [0, ...u16be(host.length), ...host];
  return tlsExtension(0, [...u16be(entry.length), ...entry]);
}

/**
 * A ClientHello handshake message (header included) as a browser sends
 * one, with the server_name extension between two others when a name is
 * given.
 */
export function clientHello(serverName: string | null): Uint8Array {
  const extensions = [
    ...tlsExtension(0x0a0a, []), // GREASE
    ...tlsExtension(0x000a, [0, 4, 0, 0x1d, 0, 0x17]), // supported_groups
    ...(serverName === null ? [] : serverNameExtension(serverName)),
    ...tlsExtension(0x002b, [2, 3, 4]), // supported_versions: TLS 1.3
  ];
  const body = concat(
    [3, 3], // legacy_version
    new Uint8Array(32).fill(0x11), // random
    [32, ...new Uint8Array(32).fill(0x22)], // session id
    [0, 4, 0x13, 0x01, 0x13, 0x02], // cipher suites
    [1, 0], // compression methods: null only
    u16be(extensions.length),
    extensions,
  );
  const length = body.length;
  const header = [1, length >>> 16, (length >>> 8) & 0xff, length & 0xff];
  return concat(header, body);
}

/** A TLS handshake record around `message`. */
export function tlsRecord(message: Uint8Array, version = 0x0301): Uint8Array {
  return concat([22, ...u16be(version), ...u16be(message.length)], message);
}
