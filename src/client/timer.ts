// Monotonic elapsed time in seconds for startTimer().
export function nowSeconds(): number {
  return performance.now() / 1000;
}
