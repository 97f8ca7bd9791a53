#!/usr/bin/env python3
"""Records what tshark's TCP analysis marks, per connection, for the
captures the TCP tests check. Rerun: python3 test/tools/record-tcp-truth.py
(needs tshark; writes test/tcp-analysis-truth.json)."""
import json, subprocess, sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = ROOT.parent / 'shared' / 'captures'
FILES = ['pcapplusplus__example.pcap', 'pcapplusplus__tls2.pcap',
         'zeek__gap-data-missing.pcapng', 'zeek__echo-connections.pcap']
MARKS = ['tcp.analysis.retransmission', 'tcp.analysis.out_of_order',
         'tcp.analysis.lost_segment', 'tcp.analysis.zero_window']
FIELDS = ['ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst',
          'tcp.dstport']

def key(row):
    src = (row[0] or row[1]) + ' ' + row[2]
    dst = (row[3] or row[4]) + ' ' + row[5]
    return ' | '.join(sorted([src, dst]))

out = {'tshark': subprocess.run(['tshark', '--version'], capture_output=True,
                                text=True).stdout.splitlines()[0],
       'captures': {}}
for name in FILES:
    per = {}
    for mark in MARKS:
        command = ['tshark', '-n', '-r', str(CAPTURES / name), '-Y', mark,
                   '-T', 'fields'] + sum((['-e', f] for f in FIELDS), [])
        rows = subprocess.run(command, capture_output=True, text=True,
                              check=True).stdout.splitlines()
        counts = Counter(key(r.split('\t')) for r in rows if r)
        per[mark] = {'command': ' '.join(command[:2] + ['-r', name] +
                                         command[4:]),
                     'connections': dict(sorted(counts.items()))}
    out['captures'][name] = per
path = ROOT / 'test' / 'tcp-analysis-truth.json'
path.write_text(json.dumps(out, indent=1) + '\n')
print(f'wrote {path}')
