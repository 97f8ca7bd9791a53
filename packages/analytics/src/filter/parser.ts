import type { CompareOp, Expr, Value } from './ast.js';
import type { Token } from './lexer.js';
import { FilterError, tokenize } from './lexer.js';

const WORD_OPS: Record<string, CompareOp> = {
  eq: '==',
  ne: '!=',
  gt: '>',
  lt: '<',
  ge: '>=',
  le: '<=',
  contains: 'contains',
  matches: 'matches',
};
const SYMBOL_OPS: Record<string, CompareOp> = {
  '==': '==',
  '!=': '!=',
  '>': '>',
  '<': '<',
  '>=': '>=',
  '<=': '<=',
  '~': 'matches',
};

/**
 * Parses a display-filter expression, the way Wireshark users write them:
 *
 *   expr    = or
 *   or      = and { ("or" | "||") and }
 *   and     = unary { ("and" | "&&") unary }
 *   unary   = ("not" | "!") unary | "(" expr ")" | clause
 *   clause  = field [ op value | "in" "{" value { [","] value } "}" ]
 *   value   = word | "string" | value ".." value (in sets)
 *
 * Throws FilterError with the position and what was expected.
 */
export function parseFilter(text: string): Expr | null {
  const tokens = tokenize(text);
  if (tokens[0].kind === 'end') return null;
  const parser = new Parser(tokens);
  const expr = parser.or();
  parser.expectEnd();
  return expr;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  or(): Expr {
    let left = this.and();
    while (this.takeKeyword('or', '||')) {
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') {
      throw new FilterError(`"${token.text}" was not expected here.`,
        token.position, '"and", "or" or the end of the filter');
    }
  }

  private and(): Expr {
    let left = this.unary();
    while (this.takeKeyword('and', '&&')) {
      left = { type: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.takeKeyword('not', '!')) {
      return { type: 'not', operand: this.unary() };
    }
    const token = this.peek();
    if (token.kind === 'op' && token.text === '(') {
      this.index++;
      const inner = this.or();
      const close = this.peek();
      if (close.kind !== 'op' || close.text !== ')') {
        throw new FilterError('A "(" is not closed.', close.position,
          '")"');
      }
      this.index++;
      return inner;
    }
    return this.clause();
  }

  private clause(): Expr {
    const token = this.peek();
    if (token.kind !== 'word' || /^[\d:]/.test(token.text)) {
      throw new FilterError(
        token.kind === 'end'
          ? 'The filter ends where a field was expected.'
          : `"${token.text}" is not a field name.`,
        token.position, 'a field name such as ip.addr, tcp.port or dns');
    }
    this.index++;
    const field = token.text.toLowerCase();
    const position = token.position;

    const next = this.peek();
    if (next.kind === 'word' && next.text.toLowerCase() === 'in') {
      this.index++;
      return { type: 'in', field, values: this.set(), position };
    }
    const op = next.kind === 'op'
      ? SYMBOL_OPS[next.text]
      : next.kind === 'word' ? WORD_OPS[next.text.toLowerCase()] : undefined;
    if (!op) return { type: 'test', field, position };
    this.index++;
    return { type: 'compare', field, op, value: this.value(), position };
  }

  private set(): Value[] {
    const open = this.peek();
    if (open.kind !== 'op' || open.text !== '{') {
      throw new FilterError('"in" takes a set of values in braces.',
        open.position, '"{"');
    }
    this.index++;
    const values: Value[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'op' && token.text === '}') {
        this.index++;
        break;
      }
      if (token.kind === 'op' && token.text === ',') {
        this.index++;
        continue;
      }
      const value = this.value();
      const dots = this.peek();
      if (dots.kind === 'op' && dots.text === '..') {
        this.index++;
        value.upTo = this.value();
      }
      values.push(value);
    }
    if (values.length === 0) {
      throw new FilterError('The set is empty.', open.position,
        'at least one value');
    }
    return values;
  }

  private value(): Value {
    const token = this.peek();
    if (token.kind === 'word' || token.kind === 'string') {
      this.index++;
      return {
        text: token.text,
        quoted: token.kind === 'string',
        position: token.position,
      };
    }
    throw new FilterError(
      token.kind === 'end'
        ? 'The filter ends where a value was expected.'
        : `"${token.text}" is not a value.`,
      token.position, 'a value');
  }

  private takeKeyword(word: string, symbol: string): boolean {
    const token = this.peek();
    if ((token.kind === 'word' && token.text.toLowerCase() === word) ||
      (token.kind === 'op' && token.text === symbol)) {
      this.index++;
      return true;
    }
    return false;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }
}
