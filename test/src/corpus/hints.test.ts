import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowRecord } from '@capscope/analytics/flow-record';
import { flowRecord } from '@capscope/analytics/flow-record';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import { generateSample } from '../generator/scenario.js';
import { analyseFile } from './corpus.js';

async function flowsOf(name: string): Promise<FlowRecord[]> {
  const { analysis } = analyseFile(name);
  assert.ok(analysis);
  await analysis.finish();
  const context = {
    timeDigits: 6,
    names: analysis.names,
    addressNames: analysis.addressNames,
  };
  const c = analysis.flows.columns;
  return Array.from({ length: c.count }, (_, i) => flowRecord(c, i, context));
}

test('TLS server name from a ClientHello', async () => {
  const flows = await flowsOf('zeek__chrome-34-google.pcap');
  assert.deepEqual(flows.map((f) => [f.app, f.host]), [['tls', 'google.de']]);
});

test('QUIC server name by decrypting the Initial', async () => {
  const flows = await flowsOf(
    'zeek__chromium-115.0.5790.110-api-cirrus-com.pcap');
  assert.deepEqual(flows.map((f) => [f.app, f.host]),
    [['quic', 'api.cirrus-ci.com']]);
});

test('HTTP Host, and names from the capture\'s DNS answers', async () => {
  const http = await flowsOf('dpkt__http.pcap');
  assert.ok(http.some((f) => f.app === 'http' &&
    f.host === 'www.ethereal.com'));
  const dns = await flowsOf('pcapplusplus__DnsPackets.pcap');
  assert.ok(dns.every((f) => ['dns', 'mdns', 'llmnr'].includes(f.app)));
  assert.ok(dns.every((f) => f.host !== ''));
  const named = dns.filter((f) => f.dstName !== '' || f.srcName !== '');
  assert.ok(named.length > 0);
});

test('the sample: every HTTPS flow names its host, DNS names addresses',
  async () => {
    const { bytes, manifest } = generateSample();
    const analysis = new CaptureAnalysis();
    analysis.push(bytes);
    analysis.end();
    await analysis.finish();
    const c = analysis.flows.columns;
    const context = { timeDigits: 6, names: analysis.names,
      addressNames: analysis.addressNames };
    const flows = Array.from({ length: c.count },
      (_, i) => flowRecord(c, i, context));
    const https = flows.filter((f) => f.proto === 'tcp' && f.dstPort === 443);
    assert.ok(https.length > 10);
    for (const flow of https) {
      assert.equal(flow.app, 'tls');
      assert.notEqual(flow.host, '', `${flow.dst} has no SNI`);
      assert.equal(flow.dstName, flow.host, `${flow.dst}`);
    }
    assert.equal(flows.length, manifest.flows.length);
  });

test('DNS response codes in DnsPackets agree with tshark: 224 without ' +
  'error, 2 NXDOMAIN', () => {
  // tshark -r pcapplusplus__DnsPackets.pcap -Y 'dns.flags.response == 1'
  //   -T fields -e dns.flags.rcode | sort | uniq -c  ->  224 0, 2 3
  const { analysis } = analyseFile('pcapplusplus__DnsPackets.pcap');
  assert.ok(analysis);
  const codes = analysis.dnsResponseCodes;
  assert.equal(codes[0], 224);
  assert.equal(codes[3], 2);
  assert.equal(codes.reduce((a, b) => a + b, 0), 226);
  const wpad = analysis.dnsNames.get('wpad.home');
  assert.deepEqual(wpad?.failures, { 3: 2 });
});
