// ULIDs for block names: 48-bit ms timestamp + 80 random bits, Crockford
// base32, 26 characters. IDs made in the same ms by this process still sort
// after each other (the random part is incremented), as oklog/ulid's monotonic reader does.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

export function newUlid(timeMs: number = Date.now()): string {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > 2 ** 48 - 1) throw new RangeError(`ULID time ${timeMs} out of range`);
  let rnd: Uint8Array;
  if (timeMs === lastTime) {
    rnd = lastRandom.slice();
    for (let i = 9; i >= 0; i--) {
      rnd[i] = (rnd[i] + 1) & 0xff;
      if (rnd[i] !== 0) break;
    }
  } else rnd = randomBytes(10);
  lastTime = timeMs;
  lastRandom = rnd;

  let out = "";
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 80 bits -> 16 chars, 5 bits each, most significant first.
  let acc = 0;
  let bits = 0;
  let tail = "";
  for (const byte of rnd) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      tail += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out + tail;
}

export function isUlid(s: string): boolean {
  return ULID_RE.test(s);
}

/** The ms timestamp encoded in a ULID. */
export function ulidTime(id: string): number {
  if (!isUlid(id)) throw new Error(`not a ULID: ${JSON.stringify(id)}`);
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(id[i]);
  return t;
}
