// Metric and label name translation per strategy. Expected names come from Prometheus'
// OTLP guide and configuration docs and the OpenTelemetry Prometheus-compatibility spec
// (unit words, _total for monotonic sums, _ratio for gauges of unit 1, "key_" prefixes).
import { describe, expect, it } from "vitest";
import type { TranslationStrategy } from "../../src/config/otlp.js";
import { labelName, metricName, NameError, type NameKind } from "../../src/otlp/names.js";

const opts = (strategy: TranslationStrategy, more: { underscoreSanitization?: boolean; preserveMultipleUnderscores?: boolean } = {}) => ({
  strategy,
  underscoreSanitization: more.underscoreSanitization ?? true,
  preserveMultipleUnderscores: more.preserveMultipleUnderscores ?? true,
});

describe("metricName", () => {
  it.each<[string, string, NameKind, string]>([
    ["http.server.duration", "s", "histogram", "http_server_duration_seconds"],
    ["requests.count", "1", "counter", "requests_count_total"],
    ["memory.usage", "By", "gauge", "memory_usage_bytes"],
    ["system.cpu.utilization", "1", "gauge", "system_cpu_utilization_ratio"],
    ["network.io", "By/s", "gauge", "network_io_bytes_per_second"],
    ["speed", "m/h", "gauge", "speed_meters_per_hour"],
    ["http.requests", "{request}", "counter", "http_requests_total"],
    ["queue.depth", "{item}", "updown", "queue_depth"],
    ["active.ratio", "1", "updown", "active_ratio"],
    ["errors_total", "", "counter", "errors_total"],
    ["requests.total.count", "", "counter", "requests_count_total"],
    ["latency_seconds", "s", "histogram", "latency_seconds"],
    ["2xx.responses", "", "counter", "_2xx_responses_total"],
    ["room.temperature", "Cel", "gauge", "room_temperature_celsius"],
    ["distance", "km", "gauge", "distance_km"],
    ["rpc.latency", "ms", "summary", "rpc_latency_milliseconds"],
    ["a__b..c", "", "gauge", "a_b_c"],
  ])("UnderscoreEscapingWithSuffixes: %s [%s] %s -> %s", (name, unit, kind, want) => {
    expect(metricName(name, unit, kind, opts("UnderscoreEscapingWithSuffixes"))).toBe(want);
  });

  it.each<[string, string, NameKind, string]>([
    ["http.server.duration", "s", "histogram", "http_server_duration"],
    ["requests.count", "1", "counter", "requests_count"],
    ["a__b..c", "", "gauge", "a__b_c"],
    ["9lives", "", "gauge", "_9lives"],
  ])("UnderscoreEscapingWithoutSuffixes: %s [%s] %s -> %s", (name, unit, kind, want) => {
    expect(metricName(name, unit, kind, opts("UnderscoreEscapingWithoutSuffixes"))).toBe(want);
  });

  it.each<[string, string, NameKind, string]>([
    ["http.server.duration", "s", "histogram", "http.server.duration_seconds"],
    ["requests.count", "1", "counter", "requests.count_total"],
    ["cpu.utilization", "1", "gauge", "cpu.utilization_ratio"],
    ["network.io", "By/s", "gauge", "network.io_bytes_per_second"],
    ["errors_total", "", "counter", "errors_total"],
    ["latency_seconds", "s", "histogram", "latency_seconds"],
  ])("NoUTF8EscapingWithSuffixes: %s [%s] %s -> %s", (name, unit, kind, want) => {
    expect(metricName(name, unit, kind, opts("NoUTF8EscapingWithSuffixes"))).toBe(want);
  });

  it("NoTranslation keeps the name as sent", () => {
    expect(metricName("http.server.duration", "s", "histogram", opts("NoTranslation"))).toBe("http.server.duration");
    expect(metricName("requests.count", "1", "counter", opts("NoTranslation"))).toBe("requests.count");
  });

  it("refuses names that normalize to nothing", () => {
    expect(() => metricName("...", "", "gauge", opts("UnderscoreEscapingWithSuffixes"))).toThrow(NameError);
    expect(() => metricName("...", "", "gauge", opts("UnderscoreEscapingWithSuffixes"))).toThrow('normalization for metric "..." resulted in empty name');
    expect(() => metricName("", "", "gauge", opts("NoTranslation"))).toThrow(NameError);
  });
});

describe("labelName", () => {
  it.each([
    ["http.method", "http_method"],
    ["123invalid", "key_123invalid"],
    ["_private", "key_private"],
    ["__reserved__", "__reserved__"],
    ["a..b", "a__b"],
    ["k8s.pod.name", "k8s_pod_name"],
    ["héllo", "h_llo"],
  ])("escapes %s -> %s", (key, want) => {
    expect(labelName(key, opts("UnderscoreEscapingWithSuffixes"))).toBe(want);
  });

  it("follows label_name_underscore_sanitization and label_name_preserve_multiple_underscores", () => {
    expect(labelName("_private", opts("UnderscoreEscapingWithoutSuffixes", { underscoreSanitization: false }))).toBe("_private");
    expect(labelName("a..b", opts("UnderscoreEscapingWithSuffixes", { preserveMultipleUnderscores: false }))).toBe("a_b");
  });

  it("keeps keys as they are when UTF-8 is allowed", () => {
    expect(labelName("http.method", opts("NoUTF8EscapingWithSuffixes"))).toBe("http.method");
    expect(labelName("_private", opts("NoTranslation"))).toBe("_private");
  });

  it("refuses keys that normalize to nothing", () => {
    expect(() => labelName("", opts("UnderscoreEscapingWithSuffixes"))).toThrow(NameError);
    expect(() => labelName("..", opts("UnderscoreEscapingWithSuffixes", { underscoreSanitization: false }))).toThrow('normalization for label name ".." resulted in invalid name "__"');
  });
});
