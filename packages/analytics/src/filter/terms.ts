import { FIELDS } from './compile.js';
import type { Token } from './lexer.js';
import { tokenize } from './lexer.js';
import { parseFilter } from './parser.js';

/**
 * A filter as people build it: an expression they typed, and terms they
 * added by clicking ("only this", "exclude this"), each shown as a chip.
 * The whole filter is one expression, the typed part and the terms joined
 * by `&&`; that expression is what the worker runs and the URL keeps.
 */
export type TermMode = 'only' | 'exclude';

export interface FilterTerm {
  /** An expression, usually one clause such as `ip.addr == 192.0.2.1`. */
  expr: string;
  mode: TermMode;
}

export interface FilterParts {
  typed: string;
  terms: FilterTerm[];
}

/**
 * A term as it reads inside the whole filter: always in parentheses,
 * `(expr)` or `!(expr)`, which is how splitFilter tells terms from typed
 * text (nobody types parentheses around a single clause).
 */
export function termText(term: FilterTerm): string {
  const expr = term.expr.trim();
  const group = isGroup(expr) ? expr : `(${expr})`;
  return term.mode === 'only' ? group : `!${group}`;
}

/** The typed part and the terms as one expression ('' for no filter). */
export function joinFilter(typed: string, terms: readonly FilterTerm[]): string {
  const parts: string[] = [];
  const text = typed.trim();
  if (text !== '') parts.push(hasTopLevelOr(text) ? `(${text})` : text);
  for (const term of terms) parts.push(termText(term));
  return parts.join(' && ');
}

/**
 * Reads a whole filter back into a typed part and terms, as joinFilter
 * wrote it: the trailing `&&` operands in parentheses, negated or not,
 * become terms; the rest stays typed text. Typed text that ends in a
 * parenthesised operand (as `dns or tls` is written before terms) reads
 * back as a term; the filter means the same either way. A filter that
 * does not parse stays whole, as typed text.
 */
export function splitFilter(text: string): FilterParts {
  const whole: FilterParts = { typed: text.trim(), terms: [] };
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return whole;
  }

  // Cut at the `&&` outside any parentheses or braces; a top-level `||`
  // binds looser than them, so such a filter is one piece.
  const cuts: Array<[number, number]> = [];
  let depth = 0;
  for (const token of tokens) {
    if (isOpen(token)) {
      depth++;
    } else if (isClose(token)) {
      depth--;
    } else if (depth === 0 && isKeyword(token, 'or', '||')) {
      return whole;
    } else if (depth === 0 && isKeyword(token, 'and', '&&')) {
      cuts.push([token.position, token.position + token.text.length]);
    }
  }

  const segments: string[] = [];
  let start = 0;
  for (const [from, to] of cuts) {
    segments.push(text.slice(start, from).trim());
    start = to;
  }
  segments.push(text.slice(start).trim());
  if (segments.some((segment) => !parses(segment))) return whole;

  const terms: FilterTerm[] = [];
  while (segments.length > 0) {
    const term = readTerm(segments[segments.length - 1]);
    if (!term) break;
    terms.unshift(term);
    segments.pop();
  }
  return { typed: segments.join(' && '), terms };
}

/** Adds a term; the same expression already there changes its mode. */
export function addTerm(terms: readonly FilterTerm[], term: FilterTerm):
  FilterTerm[] {
  const expr = term.expr.trim();
  const same = terms.findIndex((t) => t.expr.trim() === expr);
  if (same < 0) return [...terms, { expr, mode: term.mode }];
  return terms.map((t, i) => (i === same ? { expr, mode: term.mode } : t));
}

// Terms for values a view shows. Each is one clause of the language.

/** Flows with this address at either end. */
export function addressTerm(address: string): string {
  return `ip.addr == ${address}`;
}

/**
 * Flows with this port at either end, on the flow's own transport; null
 * where the "ports" are ICMP type and code, or the protocol has none.
 */
export function portTerm(proto: string, port: number | null): string | null {
  if (port === null) return null;
  if (proto === 'tcp' || proto === 'udp') return `${proto}.port == ${port}`;
  if (proto === '132' || proto === '136') return `port == ${port}`;
  return null;
}

/** `proto` as the flows table shows it: a name, or the protocol number. */
export function protocolTerm(proto: string): string | null {
  if (FIELDS[proto]?.kind === 'flag') return proto;
  return /^\d+$/.test(proto) ? `ip.proto == ${proto}` : null;
}

export function appTerm(app: string): string | null {
  return app !== '' && FIELDS[app]?.kind === 'flag' ? app : null;
}

export function hostTerm(host: string): string | null {
  return host === '' ? null : `host == ${quote(host)}`;
}

/** A country (ISO 3166 alpha-2) or address class at either end. */
export function countryTerm(code: string): string | null {
  return code === '' ? null : `country == ${quote(code)}`;
}

/** Flows whose time span overlaps [from, to] (RFC 3339 or UTC text). */
export function timeRangeTerm(from: string, to: string): string {
  return `frame.time in {${quote(from)}..${quote(to)}}`;
}

/** A string literal of the language. */
export function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function readTerm(segment: string): FilterTerm | null {
  if (isGroup(segment)) return { expr: innerOf(segment), mode: 'only' };
  const negated = /^(?:!|not\b)\s*/i.exec(segment);
  if (negated) {
    const rest = segment.slice(negated[0].length);
    if (isGroup(rest)) return { expr: innerOf(rest), mode: 'exclude' };
  }
  return null;
}

/** "( ... )" where the first parenthesis closes at the very end. */
function isGroup(text: string): boolean {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return false;
  }
  const first = tokens[0];
  if (first.kind !== 'op' || first.text !== '(') return false;
  let depth = 0;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i];
    if (token.kind === 'op' && token.text === '(') depth++;
    if (token.kind === 'op' && token.text === ')') depth--;
    if (depth === 0) return i === tokens.length - 2 && parses(text);
  }
  return false;
}

function innerOf(group: string): string {
  return group.slice(group.indexOf('(') + 1, group.lastIndexOf(')')).trim();
}

function parses(text: string): boolean {
  try {
    return parseFilter(text) !== null;
  } catch {
    return false;
  }
}

function hasTopLevelOr(text: string): boolean {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return false;
  }
  let depth = 0;
  for (const token of tokens) {
    if (isOpen(token)) depth++;
    else if (isClose(token)) depth--;
    else if (depth === 0 && isKeyword(token, 'or', '||')) return true;
  }
  return false;
}

function isOpen(token: Token): boolean {
  return token.kind === 'op' && (token.text === '(' || token.text === '{');
}

function isClose(token: Token): boolean {
  return token.kind === 'op' && (token.text === ')' || token.text === '}');
}

function isKeyword(token: Token, word: string, symbol: string): boolean {
  return (token.kind === 'word' && token.text.toLowerCase() === word) ||
    (token.kind === 'op' && token.text === symbol);
}
