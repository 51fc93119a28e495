import { expect, test } from "vitest";
import { parseExpr } from "../../src/promql/parser/parse.js";
test("parses a number", () => { expect(parseExpr("42")).toMatchObject({ kind: "NumberLiteral", value: 42 }); });
