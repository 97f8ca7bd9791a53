import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFilter } from './parser.js';
import type { FilterTerm } from './terms.js';
import {
  addTerm,
  addressTerm,
  appTerm,
  countryTerm,
  hostTerm,
  joinFilter,
  portTerm,
  protocolTerm,
  splitFilter,
  termText,
  timeRangeTerm,
} from './terms.js';

const only = (expr: string): FilterTerm => ({ expr, mode: 'only' });
const exclude = (expr: string): FilterTerm => ({ expr, mode: 'exclude' });

test('terms join the typed expression with &&', () => {
  assert.equal(joinFilter('', []), '');
  assert.equal(joinFilter('  tcp ', []), 'tcp');
  assert.equal(joinFilter('tcp', [only('ip.addr == 10.0.0.1')]),
    'tcp && (ip.addr == 10.0.0.1)');
  assert.equal(joinFilter('', [exclude('dns'), only('port in {80 443}')]),
    '!(dns) && (port in {80 443})');
  // "or" binds looser than "&&": the typed part keeps its meaning.
  assert.equal(joinFilter('dns or tls', [exclude('ip.addr == 10.0.0.1')]),
    '(dns or tls) && !(ip.addr == 10.0.0.1)');
  assert.equal(termText(only('tcp || udp')), '(tcp || udp)');
  assert.equal(termText(exclude('(tcp || udp)')), '!(tcp || udp)');
});

test('a joined filter splits back into the same parts', () => {
  const cases: Array<[string, FilterTerm[]]> = [
    ['', [only('ip.addr == 10.0.0.1')]],
    ['', [exclude('ip.addr == 2001:db8::1'), only('tcp.port == 443')]],
    ['dns or tls', [exclude('host == "a && b"')]],
    ['tcp or udp', []],
    ['', [only('tcp || udp'), exclude('country == "US" or country == "DE"')]],
    ['bytes > 1M', []],
    ['', [only('frame.time in {"2025-11-30T10:00:00Z".."2025-11-30T10:05:00Z"}')]],
  ];
  for (const [typed, terms] of cases) {
    const text = joinFilter(typed, terms);
    assert.ok(parseFilter(text) !== null || text === '', text);
    const parts = splitFilter(text);
    assert.equal(joinFilter(parts.typed, parts.terms), text, text);
    if (typed === '') assert.deepEqual(parts, { typed, terms }, text);
  }
  // Typed text stays typed; a group before terms reads back as a term,
  // which is the same filter.
  assert.deepEqual(splitFilter('bytes > 1M && tcp'),
    { typed: 'bytes > 1M && tcp', terms: [] });
  assert.deepEqual(splitFilter('(dns or tls) && !(host == "a && b")'), {
    typed: '',
    terms: [only('dns or tls'), exclude('host == "a && b"')],
  });
});

test('only trailing simple operands become terms', () => {
  assert.deepEqual(splitFilter('(dns or tls) && not tcp && (udp)'), {
    typed: '(dns or tls) && not tcp',
    terms: [only('udp')],
  });
  assert.deepEqual(splitFilter('ip.addr == 10.0.0.1 && not (tcp)'), {
    typed: 'ip.addr == 10.0.0.1',
    terms: [exclude('tcp')],
  });
  assert.deepEqual(splitFilter('tcp or ip.addr == 10.0.0.1'),
    { typed: 'tcp or ip.addr == 10.0.0.1', terms: [] });
  // What does not parse stays whole, for the box to show its error.
  assert.deepEqual(splitFilter('tcp && ip.addr == '),
    { typed: 'tcp && ip.addr ==', terms: [] });
  assert.deepEqual(splitFilter('host == "unclosed'),
    { typed: 'host == "unclosed', terms: [] });
});

test('adding a term already there changes its mode', () => {
  let terms = addTerm([], only('tcp'));
  terms = addTerm(terms, only(' ip.addr == 10.0.0.1 '));
  assert.deepEqual(terms, [only('tcp'), only('ip.addr == 10.0.0.1')]);
  terms = addTerm(terms, exclude('tcp'));
  assert.deepEqual(terms, [exclude('tcp'), only('ip.addr == 10.0.0.1')]);
  assert.deepEqual(addTerm(terms, exclude('tcp')), terms);
});

test('clicked values make clauses the language parses', () => {
  const terms = [
    addressTerm('192.0.2.1'),
    addressTerm('2001:db8::1'),
    portTerm('tcp', 443),
    portTerm('udp', 53),
    portTerm('132', 2905),
    protocolTerm('icmpv6'),
    protocolTerm('47'),
    appTerm('dns'),
    hostTerm('we"ird\\name.example'),
    countryTerm('private'),
    timeRangeTerm('2025-11-30T10:00:00Z', '2025-11-30T10:00:10.5Z'),
  ];
  for (const term of terms) {
    assert.ok(term !== null);
    const expr = parseFilter(term);
    assert.ok(expr && expr.type !== 'and' && expr.type !== 'or', term);
  }
  assert.equal(portTerm('icmp', 8), null);
  assert.equal(portTerm('tcp', null), null);
  assert.equal(appTerm(''), null);
  assert.equal(hostTerm(''), null);
  assert.equal(protocolTerm('tcp'), 'tcp');
  assert.equal(protocolTerm('47'), 'ip.proto == 47');
  const host = parseFilter(hostTerm('we"ird\\name.example') as string);
  assert.ok(host?.type === 'compare');
  assert.equal(host.value.text, 'we"ird\\name.example');
});
