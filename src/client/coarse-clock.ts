// A wall clock that hot paths can read without allocating: every Date.now() call hands back a
// freshly boxed number, so Summary.observe compares against this field instead. One unref'd
// interval (started on first use, never keeping the process alive) refreshes it; readers that
// need precision, such as rotation itself, still call Date.now().

const RESOLUTION_MS = 100;

export const coarseClock = { nowMs: Date.now() };

let timer: ReturnType<typeof setInterval> | undefined;

/** Starts the refresh interval if it is not running yet. */
export function startCoarseClock(): void {
  if (timer !== undefined) return;
  coarseClock.nowMs = Date.now();
  timer = setInterval(() => {
    coarseClock.nowMs = Date.now();
  }, RESOLUTION_MS);
  timer.unref();
}
