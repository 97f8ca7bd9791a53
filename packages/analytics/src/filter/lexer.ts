/**
 * Tokens of the filter language. Positions are character offsets into the
 * expression, so that an error can point at what it is about.
 */
export type TokenKind = 'word' | 'string' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  position: number;
}

export class FilterError extends Error {
  constructor(
    message: string,
    readonly position: number,
    readonly expected: string,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}

/** Longest first, so that ">=" is not read as ">" then "=". */
const OPERATORS = ['==', '!=', '>=', '<=', '&&', '||', '..', '>', '<', '~',
  '!', '(', ')', '{', '}', ','];

/** A bare word: field names, numbers with units, addresses with CIDR. */
const WORD_CHAR = /[A-Za-z0-9_.:/\-]/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const c = text[at];
    if (/\s/.test(c)) {
      at++;
    } else if (c === '"' || c === "'") {
      at = readString(text, at, tokens);
    } else if (WORD_CHAR.test(c) && !text.startsWith('..', at)) {
      const start = at;
      // A word stops before "..", so "1000..2000" is a range.
      while (at < text.length && WORD_CHAR.test(text[at]) &&
        !text.startsWith('..', at)) {
        at++;
      }
      tokens.push({ kind: 'word', text: text.slice(start, at), position: start });
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, at));
      if (!op) {
        throw new FilterError(`"${c}" cannot appear here.`, at,
          'a field, a value or an operator');
      }
      tokens.push({ kind: 'op', text: op, position: at });
      at += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
}

function readString(text: string, start: number, tokens: Token[]): number {
  const quote = text[start];
  let value = '';
  let at = start + 1;
  while (at < text.length && text[at] !== quote) {
    if (text[at] === '\\' && at + 1 < text.length) at++;
    value += text[at++];
  }
  if (at >= text.length) {
    throw new FilterError('This text has no closing quote.', start,
      `a closing ${quote}`);
  }
  tokens.push({ kind: 'string', text: value, position: start });
  return at + 1;
}
