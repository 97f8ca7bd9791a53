// The protocol hierarchy against tshark's `-z io,phs` on the shared corpus,
// at the levels Capscope decodes; every difference is listed with its
// reason in test/hierarchy-differences.json.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HierarchyNode } from '@capscope/analytics/aggregates/protocol-hierarchy';
import { HEADER_NAMES } from '@capscope/parser/decode';
import { analyseFile, CORPUS_DIR, corpusFiles } from './corpus.js';

interface Listed {
  file: string;
  paths: string[];
  why: string;
}

const LISTED = (JSON.parse(readFileSync(fileURLToPath(
  new URL('../../hierarchy-differences.json', import.meta.url)), 'utf8')) as {
  differences: Listed[];
}).differences;

const DECODED = new Set<string>(HEADER_NAMES);

type Counts = Map<string, { frames: number; bytes: number }>;

/** Paths made only of headers we decode. */
function decodedLevels(nodes: HierarchyNode[]): Counts {
  const out: Counts = new Map();
  for (const node of nodes) {
    if (node.path.split('/').every((name) => DECODED.has(name))) {
      out.set(node.path, { frames: node.frames, bytes: node.bytes });
    }
  }
  return out;
}

function tsharkHierarchy(name: string): HierarchyNode[] | null {
  const truth = JSON.parse(readFileSync(`${CORPUS_DIR}${name}.truth.json`,
    'utf8')) as { tshark: { protocol_hierarchy?: HierarchyNode[] } };
  return truth.tshark.protocol_hierarchy ?? null;
}

test('protocol hierarchy matches tshark at the decoded levels', () => {
  const differing: string[] = [];
  for (const name of corpusFiles()) {
    const theirs = tsharkHierarchy(name);
    const { analysis } = analyseFile(name);
    if (theirs === null || analysis === null) continue;
    const ours = decodedLevels(analysis.hierarchy.nodes());
    const tshark = decodedLevels(theirs);
    for (const path of new Set([...ours.keys(), ...tshark.keys()])) {
      const a = ours.get(path);
      const b = tshark.get(path);
      if (a?.frames !== b?.frames || a?.bytes !== b?.bytes) {
        differing.push(`${name} ${path}`);
      }
    }
  }
  const listed = LISTED.flatMap((entry) =>
    entry.paths.map((path) => `${entry.file} ${path}`));
  assert.deepEqual(differing.sort(), listed.sort());
});

test('the hierarchy top level adds up to the totals', () => {
  for (const name of corpusFiles()) {
    const { analysis } = analyseFile(name);
    if (analysis === null) continue;
    const top = analysis.hierarchy.nodes().filter((node) => node.depth === 0);
    const frames = top.reduce((sum, node) => sum + node.frames, 0);
    const bytes = top.reduce((sum, node) => sum + node.bytes, 0);
    assert.equal(frames, analysis.totals.packets, name);
    assert.equal(bytes, analysis.totals.bytes, name);
  }
});
