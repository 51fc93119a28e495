// The input the lexer scans and byte classification, shared by the lexer's modules.

export let body: usize = 0;
export let len: i32 = 0;

export function setInput(ptr: usize, n: i32): void {
  body = ptr;
  len = n;
}

/** The byte at i, or -1 past the end. */
@inline export function ch(i: i32): i32 {
  return i < len ? <i32>load<u8>(body + <usize>i) : -1;
}

@inline export function isMetricStart(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c == 58;
}
@inline export function isMetricChar(c: i32): bool {
  return isMetricStart(c) || (c >= 48 && c <= 57);
}
@inline export function isLabelStart(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95;
}
@inline export function isLabelChar(c: i32): bool {
  return isLabelStart(c) || (c >= 48 && c <= 57);
}
@inline export function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}
