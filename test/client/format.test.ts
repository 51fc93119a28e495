import { describe, expect, test } from "vitest";
import { escapeHelpOpenMetrics, escapeHelpText, escapeLabelValue, formatFloat, formatOpenMetricsFloat, runeCount } from "../../src/client/format.js";

describe("formatFloat prints like Go's strconv.FormatFloat(f, 'g', -1, 64)", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "-0"], // Go keeps the sign of zero; promtool dumps -0 as "-0" (test/tsdb/tool-promtool)
    [1, "1"],
    [-1, "-1"],
    [0.1, "0.1"],
    [123456, "123456"],
    [999999, "999999"],
    [1e6, "1e+06"],
    [1234567, "1.234567e+06"],
    [100000.5, "100000.5"],
    [0.0001, "0.0001"],
    [0.00012, "0.00012"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [-2.5e-10, "-2.5e-10"],
    [1e21, "1e+21"],
    [1e100, "1e+100"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [2 ** 53, "9.007199254740992e+15"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ];
  for (const [v, want] of cases) test(`${v} -> ${want}`, () => expect(formatFloat(v)).toBe(want));
});

test("OpenMetrics floats keep a decimal point or exponent", () => {
  expect(formatOpenMetricsFloat(1)).toBe("1.0");
  expect(formatOpenMetricsFloat(0)).toBe("0.0");
  expect(formatOpenMetricsFloat(-5)).toBe("-5.0");
  expect(formatOpenMetricsFloat(0.25)).toBe("0.25");
  expect(formatOpenMetricsFloat(1e6)).toBe("1e+06");
  expect(formatOpenMetricsFloat(Infinity)).toBe("+Inf");
  expect(formatOpenMetricsFloat(NaN)).toBe("NaN");
});

test("escaping of label values and help text", () => {
  expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  expect(escapeLabelValue("plain")).toBe("plain");
  expect(escapeHelpText('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
  expect(escapeHelpOpenMetrics('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
});

test("runeCount counts code points", () => {
  expect(runeCount("abc")).toBe(3);
  expect(runeCount("é")).toBe(1);
  expect(runeCount("😀x")).toBe(2);
});
