// A capture with one of each thing the Findings view should point at, among
// ordinary traffic, shared by the rules' tests and the browser's.

import * as T from '@capscope/parser/testing';
import type { TestPacket } from '@capscope/parser/testing';

const VM = [10, 0, 0, 4];
const RESOLVER = [168, 63, 129, 16];
const SCANNER = [10, 0, 0, 66];
const TARGET = [10, 0, 0, 5];
const SYN = 0x02;
const SYN_ACK = 0x12;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;
const RST_ACK = 0x14;

/** A DNS message: one question, and an A answer unless it failed. */
function dns(id: number, name: string, response: boolean, rcode = 0) {
  const labels = name.split('.').flatMap((label) =>
    [label.length, ...new TextEncoder().encode(label)]);
  const question = [...labels, 0, 0, 1, 0, 1];
  const answer = response && rcode === 0
    ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34]
    : [];
  const flags = response ? 0x8180 | rcode : 0x0100;
  return T.bytes(id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0,
    answer.length ? 1 : 0, 0, 0, 0, 0, ...question, ...answer);
}

class Capture {
  readonly packets: TestPacket[] = [];
  private micros = 0;

  add(data: Uint8Array, originalLength = data.length, gapMicros = 1000) {
    this.micros += gapMicros;
    this.packets.push({
      seconds: 1764496800 + Math.floor(this.micros / 1e6),
      fraction: this.micros % 1e6,
      data,
      originalLength,
    });
  }

  /** A whole TLS-like connection; `bytes` rides on the server's data. */
  connection(server: number[], port: number, clientPort: number, bytes = 0) {
    const out = (flags: number, payload = new Uint8Array(0), seq = 1000) =>
      T.ipv4(VM, server, 6, T.tcp(clientPort, port, flags, payload, seq));
    const back = (flags: number, payload = new Uint8Array(0), seq = 5000) =>
      T.ipv4(server, VM, 6, T.tcp(port, clientPort, flags, payload, seq));
    this.add(out(SYN, undefined, 999));
    this.add(back(SYN_ACK, undefined, 4999), undefined, 20_000);
    this.add(out(ACK));
    this.add(out(PSH_ACK, new Uint8Array(200)));
    // The server's answer: the volume is in the wire length, as with a
    // snap length, so the test file stays small.
    const reply = back(PSH_ACK, new Uint8Array(100));
    this.add(reply, reply.length + bytes + 4000, 20_000);
    this.add(out(FIN_ACK, undefined, 1200));
    this.add(back(FIN_ACK, undefined, 5100 + bytes + 4000));
  }

  lookup(id: number, name: string, rcode = 0) {
    this.add(T.ipv4(VM, RESOLVER, 17, T.udp(40000 + id, 53,
      dns(id, name, false))));
    this.add(T.ipv4(RESOLVER, VM, 17, T.udp(53, 40000 + id,
      dns(id, name, true, rcode))), undefined, 2000);
  }
}

/**
 * Ordinary traffic: lookups that resolve and HTTPS connections of tens of
 * kilobytes; then one of each thing Findings should point at.
 */
export function buildCapture(): Uint8Array {
  const capture = new Capture();
  for (let i = 0; i < 30; i++) {
    capture.lookup(i, `service${i}.example.com`);
    capture.connection([151, 101, 1, i + 1], 443, 50000 + i, 20_000 + i * 500);
  }
  // A port scan: 40 ports of one host in a few seconds, all refused.
  for (let port = 1; port <= 40; port++) {
    capture.add(T.ipv4(SCANNER, TARGET, 6, T.tcp(61000, port, SYN)));
    capture.add(T.ipv4(TARGET, SCANNER, 6, T.tcp(port, 61000, RST_ACK)));
  }
  // A connection to a closed port: three SYNs, each answered by a reset.
  for (let attempt = 0; attempt < 3; attempt++) {
    capture.add(T.ipv4(VM, [203, 0, 113, 50], 6,
      T.tcp(51000 + attempt, 8443, SYN, undefined, 777 + attempt)));
    capture.add(T.ipv4([203, 0, 113, 50], VM, 6,
      T.tcp(8443, 51000 + attempt, RST_ACK)));
  }
  capture.lookup(99, 'no-such-host.example.com', 3);
  // One flow of 200 MB among flows of tens of kilobytes.
  capture.connection([52, 239, 1, 1], 443, 52000, 200_000_000);
  return T.pcapFile({ linkType: 101 }, capture.packets);
}
