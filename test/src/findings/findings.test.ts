import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CaptureAnalysis } from '@capscope/analytics/analysis';
import { runFindings } from '@capscope/analytics/findings/run';
import { buildCapture } from './incident-capture.js';

test('Findings point at the scan, the failed connection, the NXDOMAIN and ' +
  'the outsized flow, and at nothing else', () => {
  const analysis = new CaptureAnalysis();
  analysis.push(buildCapture());
  analysis.end();
  const findings = runFindings({
    columns: analysis.flows.columns,
    names: analysis.names,
    dnsNames: analysis.dnsNames,
    countries: null,
  });
  const summary = findings.map((f) => `${f.kind}: ${f.reason}`);
  assert.deepEqual(findings.map((f) => f.kind).sort(), [
    'dns-failure', 'failed-connections', 'outsized-flow', 'scan',
  ], summary.join('\n'));
  const byKind = Object.fromEntries(findings.map((f) => [f.kind, f]));
  assert.equal(byKind.scan.flows.length, 40);
  assert.match(byKind.scan.reason, /10\.0\.0\.66 reached 40 ports of 10\.0\.0\.5/);
  assert.equal(byKind['failed-connections'].flows.length, 3);
  assert.match(byKind['failed-connections'].reason,
    /3 connection attempts to 203\.0\.113\.50:8443 failed \(3 rejected\)/);
  assert.match(byKind['dns-failure'].reason,
    /no-such-host\.example\.com did not resolve: NXDOMAIN/);
  assert.match(byKind['outsized-flow'].reason, /52\.239\.1\.1 moved 200\.0 MB/);
});

test('capscope findings prints them as one JSON object a line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capscope-findings-'));
  try {
    const file = join(dir, 'incident.pcap');
    writeFileSync(file, buildCapture());
    const bin = fileURLToPath(new URL(
      '../../../packages/analytics/bin/capscope.js', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'findings', file],
      { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.kind).sort(), [
      'dns-failure', 'failed-connections', 'outsized-flow', 'scan',
    ]);
    for (const line of lines) {
      assert.equal(typeof line.reason, 'string');
      assert.ok(line.flows >= 1);
      assert.equal(typeof line.filter, 'string');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the filter knows tcp.state, retransmissions, dns.rcode and finding',
  async () => {
    const { compileFilterText, filterFlows } = await import(
      '@capscope/analytics/filter/compile');
    const { flowFindings } = await import(
      '@capscope/analytics/findings/finding');
    const analysis = new CaptureAnalysis();
    analysis.push(buildCapture());
    analysis.end();
    const columns = analysis.flows.columns;
    const findings = runFindings({ columns, names: analysis.names,
      dnsNames: analysis.dnsNames, countries: null });
    const context = { columns, names: analysis.names,
      findings: flowFindings(findings, columns.count) };
    const count = (text: string) =>
      filterFlows(compileFilterText(text, context), columns.count).length;
    assert.equal(count('tcp.state == REJ'), 43); // 40 probes, 3 attempts
    assert.equal(count('tcp.state == SF'), 31);
    assert.equal(count('tcp.state in {S0 REJ RSTOS0 SH} && ' +
      'ip.dst == 203.0.113.50'), 3);
    assert.equal(count('dns.rcode == NXDOMAIN'), 1);
    assert.equal(count('dns.rcode == 3'), 1);
    assert.equal(count('dns && dns.rcode == 0'), 30);
    assert.equal(count('retransmissions > 0'), 0);
    assert.equal(count('finding == "scan"'), 40);
    assert.equal(count('finding == "outsized-flow"'), 1);
    assert.equal(count('finding'), 45);
    // Each finding's own filter selects exactly its flows.
    for (const finding of findings) {
      const kept = Array.from(filterFlows(
        compileFilterText(finding.filter, context), columns.count));
      assert.deepEqual(kept, [...finding.flows].sort((a, b) => a - b),
        finding.filter);
    }
  });
