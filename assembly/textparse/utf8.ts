// UTF-8 validation of label values and help text (Prometheus rejects invalid UTF-8 there).
import { body } from "./scan";

/** True when [s, e) is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
export function validUtf8(s: i32, e: i32): bool {
  let i = s;
  while (i < e) {
    const c = <i32>load<u8>(body + <usize>i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: i32;
    let min: i32;
    let cp: i32;
    if ((c & 0xe0) == 0xc0) {
      need = 1;
      min = 0x80;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      need = 2;
      min = 0x800;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      need = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else return false;
    if (i + need >= e) return false;
    for (let k = 1; k <= need; k++) {
      const d = <i32>load<u8>(body + <usize>(i + k));
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

