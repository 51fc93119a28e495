import { describe, expect, it } from "vitest";
import { formatSampleValue, formatTimestamp } from "../../src/web/format.js";
import { parseDurationParam, parseTime } from "../../src/web/params.js";

describe("API number formats", () => {
  it("prints values as Go's FormatFloat(v, 'f', -1, 64)", () => {
    const cases: [number, string][] = [
      [0, "0"], [1, "1"], [-2.5, "-2.5"], [1e6, "1000000"], [1e21, "1000000000000000000000"], [1.5e-7, "0.00000015"],
      [123456789.123, "123456789.123"], [0.1 + 0.2, "0.30000000000000004"], [5e-324, "0." + "0".repeat(323) + "5"],
      [Infinity, "+Inf"], [-Infinity, "-Inf"], [NaN, "NaN"], [-1.25e22, "-12500000000000000000000"],
    ];
    for (const [v, s] of cases) expect(formatSampleValue(v)).toBe(s);
  });

  it("prints ms timestamps as float seconds", () => {
    expect(formatTimestamp(1700000000500)).toBe("1700000000.5");
    expect(formatTimestamp(1700000000000)).toBe("1700000000");
    expect(formatTimestamp(1700000000001)).toBe("1700000000.001");
    expect(formatTimestamp(-1500)).toBe("-1.5");
    expect(formatTimestamp(0)).toBe("0");
  });

  it("parses times as unix seconds or RFC3339, and durations as seconds or Prometheus durations", () => {
    expect(parseTime("1700000000.123")).toBe(1700000000123);
    expect(parseTime("1.0006")).toBe(1001);
    expect(parseTime("2023-11-14T22:13:20Z")).toBe(1700000000000);
    expect(parseTime("2023-11-14T23:13:20.5+01:00")).toBe(1700000000500);
    expect(() => parseTime("yesterday")).toThrow('cannot parse "yesterday" to a valid timestamp');
    expect(() => parseTime("1e300")).toThrow();
    expect(parseDurationParam("15")).toBe(15_000);
    expect(parseDurationParam("0.5")).toBe(500);
    expect(parseDurationParam("1m30s")).toBe(90_000);
    expect(() => parseDurationParam("1.5m")).toThrow('cannot parse "1.5m" to a valid duration');
  });
});
