// Runs promwasm-tool check config in-process and keeps what it printed.
import { checkCommand } from "../../src/cmd/tool-check.js";

export async function checkConfig(file: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await checkCommand(["config", file], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
