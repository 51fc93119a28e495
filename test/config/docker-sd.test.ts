// docker_sd_configs in /api/v1/status/config: the fixture is Prometheus 2.42's own rendering of
// valid/docker-sd.yml. 2.42 predates match_first_network (3.x shows it after refresh_interval);
// that line is the one difference.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.js";
import { renderConfig } from "../../src/config/render.js";

const dir = join(import.meta.dirname, "testdata");

describe("docker_sd_configs", () => {
  it("renders as Prometheus does", async () => {
    const ours = renderConfig(await loadConfigFile(join(dir, "valid", "docker-sd.yml")))
      .split(join(dir, "valid") + "/")
      .join("");
    expect(ours.match(/match_first_network: true\n/g)).toHaveLength(3);
    expect(ours.replace(/^ *match_first_network: true\n/gm, "")).toBe(readFileSync(join(dir, "rendered", "docker-sd.prometheus-2.42.yml"), "utf8"));
  });
});
