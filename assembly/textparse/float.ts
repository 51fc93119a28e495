// Exact decimal-to-double conversion for the common case, used by the lexer for sample values
// and OpenMetrics timestamps; anything it cannot convert exactly is left to the JS side.
import { ch, isDigit } from "./scan";

/** Set by parseDecimal: false when the text needs the full float parser. */
export let fastOk: bool = false;

const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * Decimal floats whose digits fit 15 significant figures and whose power of ten is within
 * +-22 convert exactly (both operands are exact doubles, one rounding), as do the literal
 * NaN/Inf spellings. Anything else clears fastOk and JS parses the text.
 */
export function parseDecimal(s: i32, e: i32): f64 {
  fastOk = false;
  let i = s;
  let neg = false;
  let c = ch(i);
  if (c == 43 || c == 45) {
    neg = c == 45;
    i++;
  }
  const rem = e - i;
  if (rem == 3) {
    if (ch(i) == 78 && ch(i + 1) == 97 && ch(i + 2) == 78 && i == s) {
      fastOk = true;
      return NaN;
    }
    if (ch(i) == 73 && ch(i + 1) == 110 && ch(i + 2) == 102) {
      fastOk = true;
      return neg ? -Infinity : Infinity;
    }
  }
  let mant: u64 = 0;
  let sig = 0;
  let digits = 0;
  let exp = 0;
  while (i < e && isDigit((c = ch(i)))) {
    digits++;
    if (mant != 0 || c != 48) {
      if (sig >= 15) return 0;
      mant = mant * 10 + <u64>(c - 48);
      sig++;
    }
    i++;
  }
  if (i < e && ch(i) == 46) {
    i++;
    while (i < e && isDigit((c = ch(i)))) {
      digits++;
      if (mant != 0 || c != 48) {
        if (sig >= 15) return 0;
        mant = mant * 10 + <u64>(c - 48);
        sig++;
      }
      exp--;
      i++;
    }
  }
  if (digits == 0) return 0;
  if (i < e && (ch(i) == 101 || ch(i) == 69)) {
    i++;
    let eneg = false;
    c = ch(i);
    if (c == 43 || c == 45) {
      eneg = c == 45;
      i++;
    }
    let ev = 0;
    let ed = 0;
    while (i < e && isDigit((c = ch(i)))) {
      if (ev > 10000) return 0;
      ev = ev * 10 + (c - 48);
      ed++;
      i++;
    }
    if (ed == 0) return 0;
    exp += eneg ? -ev : ev;
  }
  if (i != e) return 0;
  let v: f64;
  if (mant == 0) v = 0;
  else if (exp >= 0 && exp <= 22) v = <f64>mant * unchecked(POW10[exp]);
  else if (exp < 0 && exp >= -22) v = <f64>mant / unchecked(POW10[-exp]);
  else return 0;
  fastOk = true;
  return neg ? -v : v;
}

