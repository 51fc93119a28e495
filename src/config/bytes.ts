// Byte sizes as Prometheus writes them ("512MB", "1GB"): base-1024 units B KB MB GB TB PB EB.
const UNITS: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, PB: 2 ** 50, EB: 2 ** 60 };

export class ByteSizeError extends Error {}

export function parseByteSize(s: string): number {
  const m = /^(\d+)(B|KB|MB|GB|TB|PB|EB)$/i.exec(s.trim());
  if (s.trim() === "0") return 0;
  if (!m) throw new ByteSizeError(`not a valid size: ${JSON.stringify(s)}`);
  return Number(m[1]) * UNITS[m[2].toUpperCase()];
}

/** Prints a size as Prometheus shows it in configs: the largest base-2 unit that divides it ("10MiB"). */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [["EiB", 2 ** 60], ["PiB", 2 ** 50], ["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
