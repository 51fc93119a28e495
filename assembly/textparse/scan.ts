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

// Byte classes: 1 metric-name start, 2 metric-name byte, 4 label-name start, 8 label-name byte.
const CLASS: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3, 0, 0, 0, 0, 0,
  0, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0, 0, 0, 0, 15,
  0, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

@inline function is(c: i32, flag: u8): bool {
  return <u32>c < 256 && (load<u8>(CLASS + <usize>c) & flag) != 0;
}
@inline export function isMetricStart(c: i32): bool {
  return is(c, 1);
}
@inline export function isMetricChar(c: i32): bool {
  return is(c, 2);
}
@inline export function isLabelStart(c: i32): bool {
  return is(c, 4);
}
@inline export function isLabelChar(c: i32): bool {
  return is(c, 8);
}
@inline export function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}
