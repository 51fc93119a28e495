// Expressions the user ran, newest first, kept in the browser's localStorage (per origin,
// as Prometheus' UI keeps its query history).
const KEY = "promwasm.queryHistory";
const MAX = 50;

export function queryHistory(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    // Unreadable (or blocked) storage is an empty history.
    return [];
  }
}

export function remember(expr: string): void {
  const list = [expr, ...queryHistory().filter((e) => e !== expr)].slice(0, MAX);
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage full or blocked: history is a convenience, the query still runs.
  }
}
