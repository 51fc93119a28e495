// Basic auth checks cost the same for unknown and known users: an unknown user's password
// still goes through a bcrypt comparison (against a hash no password matches), so response
// times do not reveal which usernames exist. Observed through the compare calls, never by timing.
import { createServer, type Server } from "node:http";
import bcrypt from "bcryptjs";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWebConfig } from "../../src/config/web-config.js";
import { authMiddleware } from "../../src/web/auth.js";
import { listen } from "../helpers/reference.js";

const aliceHash = bcrypt.hashSync("pw-alice", 4);
const bobHash = bcrypt.hashSync("pw-bob", 6);
const calls: { password: string; hash: string }[] = [];
let server: Server;
let base = "";

beforeAll(async () => {
  const cfg = parseWebConfig(`basic_auth_users:\n  alice: ${aliceHash}\n  bob: ${bobHash}\n`, "web.yml", "/");
  const app = new Koa();
  app.use(
    authMiddleware(cfg, {
      compare: (password, hash) => {
        calls.push({ password, hash });
        return bcrypt.compare(password, hash);
      },
    }),
  );
  app.use((ctx) => (ctx.body = "in"));
  server = createServer(app.callback());
  base = `http://127.0.0.1:${await listen(server)}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function get(user: string, password: string): Promise<number> {
  const res = await fetch(base, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` } });
  await res.arrayBuffer();
  return res.status;
}

describe("basic auth", () => {
  it("runs bcrypt for an unknown user, at the highest configured cost, and refuses", async () => {
    calls.length = 0;
    expect(await get("mallory", "guess")).toBe(401);
    expect(calls).toHaveLength(1);
    expect(calls[0].password).toBe("guess");
    expect(calls[0].hash).not.toBe(aliceHash);
    expect(calls[0].hash).not.toBe(bobHash);
    // bob's hash has cost 6, the highest of the two users.
    expect(bcrypt.getRounds(calls[0].hash)).toBe(6);
    expect(await bcrypt.compare("", calls[0].hash)).toBe(false);
  });

  it("compares a known user's password against that user's hash", async () => {
    calls.length = 0;
    expect(await get("alice", "wrong")).toBe(401);
    expect(calls).toEqual([{ password: "wrong", hash: aliceHash }]);
    expect(await get("alice", "pw-alice")).toBe(200);
    expect(await get("bob", "pw-bob")).toBe(200);
    expect(calls.map((c) => c.hash)).toEqual([aliceHash, aliceHash, bobHash]);
  });
});
