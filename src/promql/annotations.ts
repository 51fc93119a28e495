// Warnings and infos a query returns, worded and positioned as Prometheus prints them:
// "PromQL info: <message> (<line>:<column>)".
import type { PosRange } from "./parser/ast.js";

export class Annotations {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();
  private readonly query: string;

  constructor(query: string) {
    this.query = query;
  }

  warn(message: string, pos: PosRange): void {
    this.warnings.add(`PromQL warning: ${message}${this.where(pos)}`);
  }

  info(message: string, pos: PosRange): void {
    this.infos.add(`PromQL info: ${message}${this.where(pos)}`);
  }

  private where(pos: PosRange): string {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos.start && i < this.query.length; i++) {
      if (this.query[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
    }
    return ` (${line}:${pos.start - lineStart + 1})`;
  }
}
