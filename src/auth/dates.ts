// The two date formats the signatures carry: the HTTP date of `ocp-date` (IMF-fixdate, RFC 9110
// 5.6.7, what `Date.prototype.toUTCString` writes) and the basic ISO 8601 form of `X-Sdk-Date`
// (`20240102T030405Z`). Parsers are strict: a date that is not in the format is not a date.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HTTP_DATE = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The HTTP date of `date`: `Mon, 01 Jan 2024 00:00:00 GMT` (the Azure SDK's `new Date().toUTCString()`). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

// A UTC time from its fields, or undefined when a field is out of range (31 February, 24:00...).
function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): Date | undefined {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  const same =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return same ? date : undefined;
}

/**
 * An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), or `undefined`: another format, a field out
 * of range, or a day name that is not that date's (.NET, which the services run on, refuses it
 * too).
 */
export function parseHttpDate(text: string): Date | undefined {
  const match = HTTP_DATE.exec(text);
  if (match === null) return undefined;
  const month = MONTHS.indexOf(match[3]!);
  if (month < 0) return undefined;
  const date = utc(
    Number(match[4]),
    month,
    Number(match[2]),
    Number(match[5]),
    Number(match[6]),
    Number(match[7]),
  );
  if (date === undefined || DAYS[date.getUTCDay()] !== match[1]) return undefined;
  return date;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `X-Sdk-Date` of `date`: `YYYYMMDDTHHmmssZ` in UTC. */
export function sdkDate(date: Date): string {
  return (
    String(date.getUTCFullYear()).padStart(4, '0') +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    `T${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`
  );
}

/** A `YYYYMMDDTHHmmssZ` date, or `undefined`. */
export function parseSdkDate(text: string): Date | undefined {
  const match = SDK_DATE.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return utc(year!, month! - 1, day!, hour!, minute!, second!);
}
