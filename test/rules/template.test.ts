// Alert templates: Go text/template behaviour that the Prometheus comparison does not reach.
import { describe, expect, it } from "vitest";
import { TemplateError } from "../../src/rules/errors.js";
import { checkTemplate, expandTemplate } from "../../src/rules/template.js";

const data = { labels: { instance: "db-1:9100", job: "node" }, externalLabels: { cluster: "eu-1" }, externalUrl: "http://prom.example/prefix", value: 1e6 };

function expand(text: string): Promise<string> {
  return expandTemplate(text, { alertName: "A", data, timeMs: 0 });
}

describe("alert templates", () => {
  it("prints values the way Go's fmt does", async () => {
    expect(await expand("{{ $value }} {{ 1 }} {{ 1.5 }} {{ true }} {{ $labels }}")).toBe("1e+06 1 1.5 true map[instance:db-1:9100 job:node]");
  });

  it("reads missing labels as empty strings (missingkey=zero)", async () => {
    expect(await expand("[{{ $labels.nope }}][{{ .Labels.nope }}]")).toBe("[][]");
  });

  it("trims around {{- and -}} and skips comments", async () => {
    expect(await expand("a  {{- /* note */ -}}  b {{- 1 }} \n {{ 2 -}} \n c")).toBe("ab1 \n 2c");
  });

  it("scopes variables to their block and assigns with =", async () => {
    expect(await expand("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ $y }}{{ end }}{{ $x }}")).toBe("32");
  });

  it("ranges over maps in key order and over query results, with else for no results", async () => {
    const query = async (q: string) => (q === "up" ? [{ labels: { job: "a" }, value: 1 }, { labels: { job: "b" }, value: 0 }] : []);
    const text = "{{ range $labels }}{{ . }};{{ end }}{{ range $i, $s := query \"up\" }}{{ $i }}:{{ $s.Labels.job }}={{ $s.Value }};{{ end }}{{ range query \"none\" }}x{{ else }}empty{{ end }}";
    expect(await expandTemplate(text, { alertName: "A", data, timeMs: 0, query })).toBe("db-1:9100;node;0:a=1;1:b=0;empty");
    expect(await expand('{{ range $k, $v := $labels }}{{ if eq $k "instance" }}{{ continue }}{{ end }}{{ $v }}{{ break }}x{{ end }}')).toBe("node");
    // Like Go before 1.22, a string cannot be ranged over.
    await expect(expand("{{ range $labels.nope }}{{ end }}")).rejects.toThrow("range can't iterate over");
  });

  it("knows Prometheus' helpers", async () => {
    expect(await expand("{{ pathPrefix }} {{ externalURL }} {{ stripPort $labels.instance }} {{ graphLink \"up == 0\" }} {{ parseDuration \"1m30s\" }}")).toBe(
      "/prefix http://prom.example/prefix db-1 /graph?g0.expr=up+%3D%3D+0&g0.tab=0 90",
    );
  });

  it("fails execution with Go's wording", async () => {
    await expect(expand("{{ .Nope }}")).rejects.toThrow("can't evaluate field Nope in type template.tmplData");
    await expect(expand('{{ eq 1 "a" }}')).rejects.toThrow("incompatible types for comparison");
    await expect(expand("{{ first (query \"up\") }}")).rejects.toBeInstanceOf(TemplateError);
  });

  it("rejects what Go's parser rejects", () => {
    expect(() => checkTemplate("{{ if $value }}", "A")).toThrow("template: __alert_A:1: unexpected EOF");
    expect(() => checkTemplate("{{ $nope }}", "A")).toThrow('template: __alert_A:1: undefined variable "$nope"');
    expect(() => checkTemplate("a\n{{ nofunc }}", "A")).toThrow('template: __alert_A:2: function "nofunc" not defined');
    expect(() => checkTemplate("{{ .Labels", "A")).toThrow("template: __alert_A:1: unclosed action");
    expect(() => checkTemplate("{{ if 1 }}{{ else }}{{ else }}{{ end }}", "A")).toThrow();
    expect(() => checkTemplate("{{ break }}", "A")).toThrow("template: __alert_A:1: {{break}} outside {{range}}");
  });
});
