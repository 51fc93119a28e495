// Calendar fields of a Unix time in seconds, computed as Go's time.Unix(int64(x), 0).UTC()
// does for PromQL's date functions. JavaScript's Date covers only ±273,790 years and treats
// years 0-99 specially; Go's calendar runs to ±292 billion years, and its int64 arithmetic
// wraps, which decides what year(vector(NaN)) answers.

const SECONDS_PER_DAY = 86_400n;
const DAYS_PER_400_YEARS = 365 * 400 + 97;
const DAYS_PER_100_YEARS = 365 * 100 + 24;
const DAYS_PER_4_YEARS = 365 * 4 + 1;
// Go's absolute epoch: year -292277022399, chosen so every int64 time maps to a uint64.
const ABSOLUTE_ZERO_YEAR = -292277022399;
const UNIX_TO_INTERNAL = BigInt((1969 * 365 + Math.floor(1969 / 4) - Math.floor(1969 / 100) + Math.floor(1969 / 400)) * 86_400);
// From the absolute year to Go's internal year 1, in mean Gregorian years of 31,556,952 s.
const ABSOLUTE_TO_INTERNAL = BigInt(ABSOLUTE_ZERO_YEAR - 1) * 31_556_952n;
const UNIX_TO_ABSOLUTE = UNIX_TO_INTERNAL - ABSOLUTE_TO_INTERNAL;
// Day of year (0-based) on which each month starts, in a non-leap year.
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const INT64_MIN = -(2n ** 63n);

export interface GoCivilTime {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  /** 1-31 */
  readonly day: number;
  /** 1-366 */
  readonly yearDay: number;
  /** 0 (Sunday) - 6 */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly daysInMonth: number;
}

/**
 * Go's int64(x) on amd64: truncation toward zero, and the "integer indefinite" value
 * (math.MinInt64) for NaN and anything outside int64.
 */
export function goInt64(x: number): bigint {
  if (Number.isNaN(x) || x >= 2 ** 63 || x < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(x));
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The calendar fields of time.Unix(sec, 0).UTC(). */
export function goCivilTime(sec: bigint): GoCivilTime {
  const abs = BigInt.asUintN(64, sec + UNIX_TO_ABSOLUTE);
  const secOfDay = Number(abs % SECONDS_PER_DAY);
  // Days since the absolute epoch fit a double exactly (< 2^48). January 1 of the absolute
  // year was a Monday, hence the one day added for the weekday below.
  let d = Number(abs / SECONDS_PER_DAY);
  let n = Math.floor(d / DAYS_PER_400_YEARS);
  let y = 400 * n;
  d -= DAYS_PER_400_YEARS * n;
  // The last day of a 100- or 4-year cycle would count as a fifth period; n >> 2 undoes that.
  n = Math.floor(d / DAYS_PER_100_YEARS);
  n -= n >> 2;
  y += 100 * n;
  d -= DAYS_PER_100_YEARS * n;
  n = Math.floor(d / DAYS_PER_4_YEARS);
  y += 4 * n;
  d -= DAYS_PER_4_YEARS * n;
  n = Math.floor(d / 365);
  n -= n >> 2;
  y += n;
  d -= 365 * n;
  const year = y + ABSOLUTE_ZERO_YEAR;
  const yearDay = d;
  const leap = isLeap(year);
  const { month, day } = monthDay(yearDay, leap);
  const monthDays = DAYS_BEFORE[month] - DAYS_BEFORE[month - 1] + (leap && month === 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    yearDay: yearDay + 1,
    weekday: Number((BigInt.asUintN(64, abs + SECONDS_PER_DAY) % (7n * SECONDS_PER_DAY)) / SECONDS_PER_DAY),
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    daysInMonth: monthDays,
  };
}

function monthDay(yearDay: number, leap: boolean): { month: number; day: number } {
  let day = yearDay;
  if (leap) {
    if (day === 31 + 29 - 1) return { month: 2, day: 29 };
    if (day > 31 + 29 - 1) day--;
  }
  let m = Math.floor(day / 31);
  if (day >= DAYS_BEFORE[m + 1]) m++;
  return { month: m + 1, day: day - DAYS_BEFORE[m] + 1 };
}
