/**
 * Go's `time.Time` as far as the wire needs it: an instant with nanosecond precision plus the zone
 * offset it was written with. JavaScript's `Date` keeps milliseconds only, which would lose bytes on
 * a round trip, so the seconds and nanoseconds are kept apart.
 *
 * Parsing is `time.Parse(time.RFC3339, s)` with Go's error texts; formatting is
 * `Format(time.RFC3339Nano)` (fraction trimmed of trailing zeros, `Z` for a zero offset).
 */
import { Buffer } from 'node:buffer';
import { TimeParseError } from './errors.js';

const SECONDS_PER_DAY = 86400;
/** Unix seconds of Go's zero time, 0001-01-01T00:00:00Z. */
const ZERO_UNIX = -62135596800;

export const RFC3339 = '2006-01-02T15:04:05Z07:00';

export class GoTime {
  /** Go's zero `time.Time`. */
  static readonly ZERO = new GoTime(ZERO_UNIX, 0, 0);

  private constructor(
    /** Seconds since the Unix epoch (may be negative). */
    readonly unixSeconds: number,
    /** Nanoseconds within the second, 0…999999999. */
    readonly nanos: number,
    /** The zone offset east of UTC, in seconds, that the text form uses. */
    readonly offsetSeconds: number,
  ) {}

  static fromUnix(unixSeconds: number, nanos = 0, offsetSeconds = 0): GoTime {
    if (!Number.isInteger(unixSeconds) || !Number.isInteger(nanos) || !Number.isInteger(offsetSeconds)) {
      throw new RangeError('GoTime parts must be integers');
    }
    const carry = Math.floor(nanos / 1e9);
    return new GoTime(unixSeconds + carry, nanos - carry * 1e9, offsetSeconds);
  }

  /** From a `Date` (millisecond precision), in UTC. */
  static fromDate(date: Date): GoTime {
    const ms = date.getTime();
    if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
    const sec = Math.floor(ms / 1000);
    return new GoTime(sec, (ms - sec * 1000) * 1e6, 0);
  }

  /** From civil time in the given offset (seconds east of UTC). */
  static fromCivil(year: number, month: number, day: number, hour = 0, min = 0, sec = 0, nanos = 0, offsetSeconds = 0): GoTime {
    const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + min * 60 + sec;
    return GoTime.fromUnix(local - offsetSeconds, nanos, offsetSeconds);
  }

  /** `time.Parse(time.RFC3339, s)`. */
  static parse(s: string): GoTime {
    return parseRFC3339Fast(s, 0, s.length) ?? parseRFC3339General(s, false);
  }

  /** Go's `IsZero`: the instant 0001-01-01T00:00:00Z, whatever the offset. */
  isZero(): boolean {
    return this.unixSeconds === ZERO_UNIX && this.nanos === 0;
  }

  utc(): GoTime {
    return this.offsetSeconds === 0 ? this : new GoTime(this.unixSeconds, this.nanos, 0);
  }

  /** Same instant (Go's `Equal`). */
  equal(other: GoTime): boolean {
    return this.unixSeconds === other.unixSeconds && this.nanos === other.nanos;
  }

  compare(other: GoTime): number {
    return this.unixSeconds !== other.unixSeconds ? Math.sign(this.unixSeconds - other.unixSeconds) : Math.sign(this.nanos - other.nanos);
  }

  /** The instant as a `Date` (nanoseconds truncated to milliseconds). */
  toDate(): Date {
    return new Date(this.unixSeconds * 1000 + Math.floor(this.nanos / 1e6));
  }

  /** The year in this time's own offset (Go's `Year()`). */
  year(): number {
    return civilFromDays(Math.floor((this.unixSeconds + this.offsetSeconds) / SECONDS_PER_DAY))[0];
  }

  /** `Format(time.RFC3339Nano)` in this time's own offset. */
  format(): string {
    const local = this.unixSeconds + this.offsetSeconds;
    // Years 0…9999 (all real-world times): table-driven, no padding or regexp. Anything else takes
    // the general path, which handles signs and wider years.
    if (!(local >= FAST_FORMAT_MIN && local < FAST_FORMAT_END)) return formatGeneral(this);
    const days = Math.floor(local / SECONDS_PER_DAY);
    const secOfDay = local - days * SECONDS_PER_DAY;
    const [y, m, d] = civilFromDays(days);
    const hour = Math.floor(secOfDay / 3600);
    const rest = secOfDay - hour * 3600;
    const min = Math.floor(rest / 60);
    let out = civilText(y, m, d, hour, min, rest - min * 60);
    const nanos = this.nanos;
    if (nanos !== 0) out += '.' + fractionDigits(nanos);
    const offset = this.offsetSeconds;
    if (offset === 0) return out + 'Z';
    const zone = Math.trunc(offset / 60);
    const abs = Math.abs(zone);
    const sign = zone < 0 ? '-' : '+';
    if (abs < 6000) {
      const zh = Math.floor(abs / 60);
      return out + sign + DIGITS2[zh]! + ':' + DIGITS2[abs - zh * 60]!;
    }
    return out + sign + pad(Math.floor(abs / 60), 2) + ':' + pad(abs % 60, 2);
  }

  toString(): string {
    return this.format();
  }
}

/** Go's `appendInt(b, x, width)`: sign, then the absolute value zero-padded to `width`. */
function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

/** The char code of the tens digit of 0…99. */
const tens = (n: number): number => 0x30 + ((n / 10) | 0);
/** The char code of the units digit of 0…99. */
const units = (n: number): number => 0x30 + (n % 10);

/** `YYYY-MM-DDTHH:MM:SS` for a year 0…9999 and in-range parts, built as one flat string. */
function civilText(y: number, m: number, d: number, hour: number, min: number, sec: number): string {
  const c = Math.floor(y / 100);
  const yy = y - c * 100;
  return String.fromCharCode(
    tens(c), units(c), tens(yy), units(yy), 0x2d,
    tens(m), units(m), 0x2d,
    tens(d), units(d), 0x54,
    tens(hour), units(hour), 0x3a,
    tens(min), units(min), 0x3a,
    tens(sec), units(sec),
  );
}

/** `"00"` … `"99"`. */
const DIGITS2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + String(i));

/** Local seconds of 0000-01-01T00:00:00 and of 10000-01-01T00:00:00: the years `format` writes from tables. */
const FAST_FORMAT_MIN = -62167219200;
const FAST_FORMAT_END = 253402300800;

const ZEROS = '000000000';

/**
 * The nanoseconds (1…999999999) as Go's RFC3339Nano fraction: nine digits with the trailing zeros
 * trimmed. Out-of-range values (impossible for a well-built `GoTime`) take the original expression.
 */
function fractionDigits(nanos: number): string {
  if (!(Number.isInteger(nanos) && nanos > 0 && nanos < 1e9)) return String(nanos).padStart(9, '0').replace(/0+$/, '');
  let n = nanos;
  let width = 9;
  while (n % 10 === 0) {
    n /= 10;
    width--;
  }
  const s = String(n);
  return s.length < width ? ZEROS.slice(0, width - s.length) + s : s;
}

/** `format` for any instant (signed or wide years, out-of-range parts): the reference implementation. */
export function formatGeneral(t: GoTime): string {
  const local = t.unixSeconds + t.offsetSeconds;
  const days = Math.floor(local / SECONDS_PER_DAY);
  const secOfDay = local - days * SECONDS_PER_DAY;
  const [y, m, d] = civilFromDays(days);
  let out = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(Math.floor(secOfDay / 3600), 2)}:${pad(Math.floor(secOfDay / 60) % 60, 2)}:${pad(secOfDay % 60, 2)}`;
  if (t.nanos !== 0) out += '.' + String(t.nanos).padStart(9, '0').replace(/0+$/, '');
  if (t.offsetSeconds === 0) return out + 'Z';
  const zone = Math.trunc(t.offsetSeconds / 60);
  const abs = Math.abs(zone);
  return out + (zone < 0 ? '-' : '+') + pad(Math.floor(abs / 60), 2) + ':' + pad(abs % 60, 2);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH: readonly number[] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return DAYS_IN_MONTH[month - 1]!;
}

/** Go's `quote` for time errors: `"` and `\` escaped, non-ASCII and control bytes as `\xNN`. */
export function quoteForTimeError(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of Buffer.from(ch === '\ufffd' ? '\ufffd' : ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;

/** Go's `getnum(s, fixed)`: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 0x30, s.slice(1)];
  return [(s.charCodeAt(0) - 0x30) * 10 + (s.charCodeAt(1) - 0x30), s.slice(2)];
}

/** Two decimal digits at `s[i]`, `s[i+1]` as a number, or -1 (also past the end). */
function twoDigitsAt(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const POW10: readonly number[] = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * The fast path of `time.Parse(RFC3339, …)` for `s.slice(start, end)` in its usual form,
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)` with every value in range; `undefined` for anything
 * else (other accepted spellings, or any error), which the general parser then handles. Never
 * throws: all error texts come from the general parser. Same arithmetic as the general parser, so
 * the same `GoTime`.
 */
export function parseRFC3339Fast(s: string, start: number, end: number): GoTime | undefined {
  if (end - start < 20) return undefined;
  const century = twoDigitsAt(s, start);
  const yy = twoDigitsAt(s, start + 2);
  if (century < 0 || yy < 0) return undefined;
  if (
    s.charCodeAt(start + 4) !== 0x2d /* - */ ||
    s.charCodeAt(start + 7) !== 0x2d ||
    s.charCodeAt(start + 10) !== 0x54 /* T */ ||
    s.charCodeAt(start + 13) !== 0x3a /* : */ ||
    s.charCodeAt(start + 16) !== 0x3a
  ) {
    return undefined;
  }
  const year = century * 100 + yy;
  const month = twoDigitsAt(s, start + 5);
  const day = twoDigitsAt(s, start + 8);
  const hour = twoDigitsAt(s, start + 11);
  const min = twoDigitsAt(s, start + 14);
  const sec = twoDigitsAt(s, start + 17);
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour >= 24 || min < 0 || min >= 60 || sec < 0 || sec >= 60) return undefined;
  if (day > daysIn(month, year)) return undefined;
  let i = start + 19;
  let nanos = 0;
  if (s.charCodeAt(i) === 0x2e /* . */) {
    // At least one digit; the first nine count, the rest are truncated (as the general parser does).
    const first = ++i;
    for (; i < end; i++) {
      const c = s.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) break;
      if (i - first < 9) nanos = nanos * 10 + c;
    }
    const digits = i - first;
    if (digits === 0) return undefined;
    if (digits < 9) nanos *= POW10[9 - digits]!;
  }
  let offset = 0;
  if (i === end - 1) {
    if (s.charCodeAt(i) !== 0x5a /* Z */) return undefined;
  } else if (i === end - 6) {
    const sign = s.charCodeAt(i);
    if ((sign !== 0x2b /* + */ && sign !== 0x2d) /* - */ || s.charCodeAt(i + 3) !== 0x3a) return undefined;
    const hh = twoDigitsAt(s, i + 1);
    const mm = twoDigitsAt(s, i + 4);
    if (hh < 0 || hh > 24 || mm < 0 || mm > 60) return undefined;
    offset = (hh * 60 + mm) * 60 * (sign === 0x2d ? -1 : 1);
  } else {
    return undefined;
  }
  return GoTime.fromCivil(year, month, day, hour, min, sec, nanos, offset);
}

/**
 * `time.Parse(RFC3339, s)`, or with `quoted` Go 1.19's `Time.UnmarshalJSON` layout (see
 * `parseRFC3339General`): the fast path for the usual form, else the general parser.
 */
export function parseRFC3339(input: string, quoted: boolean): GoTime {
  if (!quoted) return parseRFC3339Fast(input, 0, input.length) ?? parseRFC3339General(input, false);
  const n = input.length;
  if (n >= 2 && input.charCodeAt(0) === 0x22 && input.charCodeAt(n - 1) === 0x22) {
    const t = parseRFC3339Fast(input, 1, n - 1);
    if (t !== undefined) return t;
  }
  return parseRFC3339General(input, true);
}

/**
 * `time.Parse(RFC3339, s)` step by step, reproducing Go's accepted inputs (one-digit hours, `,` as
 * the fraction separator, up to any number of fraction digits truncated to nanoseconds, offsets
 * `Z` or `±hh:mm`) and its error texts. With `quoted`, the layout is Go 1.19's
 * `Time.UnmarshalJSON` one, `"2006-01-02T15:04:05Z07:00"` including the JSON quotes.
 */
export function parseRFC3339General(input: string, quoted: boolean): GoTime {
  const layout = quoted ? `"${RFC3339}"` : RFC3339;
  const fail = (valueElem: string, layoutElem: string): never => {
    throw new TimeParseError(
      `parsing time ${quoteForTimeError(input)} as ${quoteForTimeError(layout)}: cannot parse ${quoteForTimeError(valueElem)} as ${quoteForTimeError(layoutElem)}`,
    );
  };
  const failRange = (what: string): never => {
    throw new TimeParseError(`parsing time ${quoteForTimeError(input)}: ${what} out of range`);
  };
  let value = input;
  const literal = (lit: string): void => {
    for (let i = 0; i < lit.length; i++) {
      if (value.length === 0 || value[0] !== lit[i]) fail(value, lit);
      value = value.slice(1);
    }
  };

  if (quoted) literal('"');
  // 2006
  if (value.length < 4 || !isDigit(value, 0)) fail(value, '2006');
  if (!/^[0-9]{4}$/.test(value.slice(0, 4))) fail(value, '2006');
  const year = Number(value.slice(0, 4));
  value = value.slice(4);
  literal('-');
  // 01
  let hold = value;
  let n = getnum(value, true) ?? fail(hold, '01');
  const month = n[0];
  value = n[1];
  if (month <= 0 || month > 12) failRange('month');
  literal('-');
  // 02
  hold = value;
  n = getnum(value, true) ?? fail(hold, '02');
  const day = n[0];
  value = n[1];
  literal('T');
  // 15
  hold = value;
  n = getnum(value, false) ?? fail(hold, '15');
  const hour = n[0];
  value = n[1];
  if (hour >= 24) failRange('hour');
  literal(':');
  // 04
  hold = value;
  n = getnum(value, true) ?? fail(hold, '04');
  const min = n[0];
  value = n[1];
  if (min >= 60) failRange('minute');
  literal(':');
  // 05 and an optional fraction
  hold = value;
  n = getnum(value, true) ?? fail(hold, '05');
  const sec = n[0];
  value = n[1];
  if (sec >= 60) failRange('second');
  let nanos = 0;
  if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigit(value, 1)) {
    let end = 2;
    while (isDigit(value, end)) end++;
    nanos = Number(value.slice(1, Math.min(end, 10)).padEnd(9, '0'));
    value = value.slice(end);
  }
  // Z07:00
  hold = value;
  let offset = 0;
  if (value.length >= 1 && value[0] === 'Z') {
    value = value.slice(1);
  } else {
    if (value.length < 6 || value[3] !== ':') fail(hold, 'Z07:00');
    const hh = getnum(value.slice(1, 3), true);
    const mm = hh && getnum(value.slice(4, 6), true);
    const sign = value[0];
    value = value.slice(6);
    // Go checks both ranges (the later one wins) before it looks at a parse failure.
    let range: string | undefined;
    if (hh && hh[0] > 24) range = 'time zone offset hour';
    if (mm && mm[0] > 60) range = 'time zone offset minute';
    if (range !== undefined) failRange(range);
    if (!hh || !mm || (sign !== '+' && sign !== '-')) fail(hold, 'Z07:00');
    offset = (hh![0] * 60 + mm![0]) * 60 * (sign === '-' ? -1 : 1);
  }
  if (quoted) literal('"');
  if (value.length !== 0) {
    throw new TimeParseError(`parsing time ${quoteForTimeError(input)}: extra text: ${quoteForTimeError(value)}`);
  }
  if (day < 1 || day > daysIn(month, year)) failRange('day');
  return GoTime.fromCivil(year, month, day, hour, min, sec, nanos, offset);
}
