import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterError } from './lexer.js';
import { parseFilter } from './parser.js';

test('precedence: not binds tighter than and, and than or', () => {
  const expr = parseFilter('not tcp and udp or icmp');
  assert.deepEqual(expr, {
    type: 'or',
    left: {
      type: 'and',
      left: { type: 'not', operand: { type: 'test', field: 'tcp', position: 4 } },
      right: { type: 'test', field: 'udp', position: 12 },
    },
    right: { type: 'test', field: 'icmp', position: 19 },
  });
});

test('symbols and words are the same operators', () => {
  const words = parseFilter('ip.addr eq 10.0.0.1 and not port ge 1024');
  const symbols = parseFilter('ip.addr == 10.0.0.1 && ! port >= 1024');
  const strip = (x: unknown) => JSON.stringify(x, (k, v) =>
    k === 'position' ? undefined : v);
  assert.equal(strip(words), strip(symbols));
});

test('comparisons, sets with ranges, strings and parentheses', () => {
  assert.deepEqual(parseFilter('tcp.port in {80 443, 8000..8004}'), {
    type: 'in', field: 'tcp.port', position: 0, values: [
      { text: '80', quoted: false, position: 13 },
      { text: '443', quoted: false, position: 16 },
      { text: '8000', quoted: false, position: 21,
        upTo: { text: '8004', quoted: false, position: 27 } },
    ],
  });
  const host = parseFilter('(host contains "goo\\"gle") || host ~ \'^a\'');
  assert.equal(host?.type, 'or');
  assert.deepEqual(parseFilter('ip.addr==2001:db8::/32'), {
    type: 'compare', field: 'ip.addr', op: '==', position: 0,
    value: { text: '2001:db8::/32', quoted: false, position: 9 },
  });
  assert.equal(parseFilter('   '), null);
});

function errorAt(text: string): FilterError {
  try {
    parseFilter(text);
  } catch (error) {
    assert.ok(error instanceof FilterError, String(error));
    return error;
  }
  assert.fail(`"${text}" parsed`);
}

test('errors say where and what was expected', () => {
  const unclosed = errorAt('(tcp and udp');
  assert.equal(unclosed.position, 12);
  assert.equal(unclosed.expected, '")"');

  const missingValue = errorAt('ip.addr ==');
  assert.equal(missingValue.position, 10);
  assert.equal(missingValue.expected, 'a value');

  const trailing = errorAt('tcp udp');
  assert.equal(trailing.position, 4);
  assert.match(trailing.expected, /"and", "or"/);

  const badChar = errorAt('port == 80 $');
  assert.equal(badChar.position, 11);

  const quote = errorAt('host == "abc');
  assert.equal(quote.position, 8);

  const noSet = errorAt('port in 80');
  assert.equal(noSet.position, 8);
  assert.equal(noSet.expected, '"{"');

  const startsWithValue = errorAt('== 80');
  assert.equal(startsWithValue.position, 0);
});
