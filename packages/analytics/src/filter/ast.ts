/** The parsed form of a filter expression. */

export type CompareOp = '==' | '!=' | '>' | '<' | '>=' | '<=' | 'contains' |
  'matches';

export interface Value {
  text: string;
  quoted: boolean;
  position: number;
  /** The upper end of a range "a..b" inside a set. */
  upTo?: Value;
}

export type Expr =
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'not'; operand: Expr }
  | { type: 'test'; field: string; position: number }
  | {
      type: 'compare';
      field: string;
      op: CompareOp;
      value: Value;
      position: number;
    }
  | { type: 'in'; field: string; values: Value[]; position: number };
