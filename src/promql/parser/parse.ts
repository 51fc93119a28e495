import { parse as peggyParse, SyntaxError as PeggySyntaxError } from "#build/grammar/promql.js";
import { ParseError, type Expr } from "./ast.js";

export function parseExpr(query: string): Expr {
  try {
    return peggyParse(query) as Expr;
  } catch (err) {
    if (err instanceof PeggySyntaxError) {
      throw new ParseError(`parse error at char ${err.location.start.offset + 1}: ${err.message}`, { start: err.location.start.offset, end: err.location.end.offset }, query);
    }
    throw err;
  }
}
