// HPC Pack fault codes (SOAFaultCode in the SOA runtime) and .NET composite formatting.

/** Fault code categories: the high byte of an HPC Pack SOA fault code. */
export const HPC_FAULT_CATEGORIES: Readonly<Record<number, string>> = Object.freeze({
  1: 'SessionConnectionError',
  2: 'SessionError',
  3: 'SessionFatalError',
  4: 'ApplicationError',
  5: 'BrokerProxyError',
  15: 'Unknown',
});

/** The HPC Pack SOA fault codes with a documented name, by number. */
export const HPC_FAULT_CODES: Readonly<Record<string, string>> = Object.freeze({
  '33554447': 'BrokerNotActive',
  '33554448': 'FailedToSendRequest',
  '33554449': 'FailedToConnectToSessionService',
  '33554450': 'FailedToConnectToBrokerService',
  '50331648': 'InvalidArgument',
  '50331649': 'InvalidSessionId',
  '50331650': 'AuthenticationFailure',
  '50331697': 'NotSupportInprocessBroker',
  '50331700': 'APIVersionIncorrect',
  '50331701': 'AccessDenied',
  '251658240': 'UnknownError',
  '251723775': 'ArgumentError',
});

/**
 * The category and name of an HPC Pack SOA fault code given as decimal text (a .NET `int`,
 * so possibly negative). Codes that are not integers have neither.
 *
 * @example
 * ```ts
 * hpcFaultInfo('33554447'); // { category: 'SessionError', name: 'BrokerNotActive' }
 * ```
 */
export function hpcFaultInfo(code: string): { category?: string; name?: string } {
  if (!isInt32Text(code)) return {};
  const value = Number(code) | 0;
  const category = HPC_FAULT_CATEGORIES[(value >>> 24) & 0xff];
  const name = Object.hasOwn(HPC_FAULT_CODES, String(value)) ? HPC_FAULT_CODES[String(value)] : undefined;
  return {
    ...(category === undefined ? {} : { category }),
    ...(name === undefined ? {} : { name }),
  };
}

/** True for `-?[0-9]{1,10}` within the 32-bit range (.NET `int`). */
export function isInt32Text(text: string): boolean {
  const start = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (text.length <= start || text.length - start > 10) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  const value = Number(text);
  return value >= -2147483648 && value <= 4294967295;
}

// Alignment is honoured up to this width: a hostile `{0,999999999}` must not allocate a gigabyte.
const MAX_ALIGNMENT = 1024;

/**
 * Fills a .NET composite format string (`String.Format`): `{0}` takes `args[0]`, `{{` and `}}`
 * are literal braces, `{0,8}` / `{0,-8}` pad to a width, and `{0:format}` keeps the argument
 * as is (the arguments are strings, which .NET formats as themselves). Where .NET would throw
 * (an index past the arguments, a malformed item) the item is kept as written. One linear pass,
 * no regular expressions.
 *
 * @example
 * ```ts
 * formatDotNet('Session {0} not found ({{id}})', ['42']); // 'Session 42 not found ({id})'
 * ```
 */
export function formatDotNet(format: string, args: readonly string[]): string {
  const out: string[] = [];
  const n = format.length;
  let literalStart = 0;
  let i = 0;
  while (i < n) {
    const c = format.charCodeAt(i);
    if (c === 0x7d) {
      // '}}' is one literal brace; a lone '}' is kept as written.
      out.push(format.slice(literalStart, i + 1));
      i += format.charCodeAt(i + 1) === 0x7d ? 2 : 1;
      literalStart = i;
      continue;
    }
    if (c !== 0x7b) {
      i++;
      continue;
    }
    if (format.charCodeAt(i + 1) === 0x7b) {
      out.push(format.slice(literalStart, i + 1));
      i += 2;
      literalStart = i;
      continue;
    }
    const item = readItem(format, i + 1);
    if (item === undefined || item.index >= args.length) {
      i++;
      continue;
    }
    out.push(format.slice(literalStart, i));
    out.push(align(args[item.index]!, item.width));
    i = item.end;
    literalStart = i;
  }
  out.push(format.slice(literalStart));
  return out.join('');
}

function align(value: string, width: number): string {
  const size = Math.min(Math.abs(width), MAX_ALIGNMENT);
  if (value.length >= size) return value;
  return width < 0 ? value.padEnd(size) : value.padStart(size);
}

// Reads `index[,width][:format]}` from `from`; `end` is just past the closing brace.
function readItem(format: string, from: number): { index: number; width: number; end: number } | undefined {
  const n = format.length;
  let i = from;
  const spaces = () => {
    while (format.charCodeAt(i) === 0x20) i++;
  };
  const digits = (): number | undefined => {
    const start = i;
    while (i < n && i - start < 9) {
      const c = format.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    return i === start ? undefined : Number(format.slice(start, i));
  };
  spaces();
  const index = digits();
  if (index === undefined) return undefined;
  spaces();
  let width = 0;
  if (format.charCodeAt(i) === 0x2c) {
    i++;
    spaces();
    const negative = format.charCodeAt(i) === 0x2d;
    if (negative) i++;
    const w = digits();
    if (w === undefined) return undefined;
    width = negative ? -w : w;
    spaces();
  }
  if (format.charCodeAt(i) === 0x3a) {
    // A format for a string argument changes nothing; skip to the closing brace ('}}' escapes one).
    i++;
    while (i < n) {
      const c = format.charCodeAt(i);
      if (c === 0x7b) return undefined;
      if (c === 0x7d) {
        if (format.charCodeAt(i + 1) === 0x7d) {
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
  }
  if (format.charCodeAt(i) !== 0x7d) return undefined;
  return { index, width, end: i + 1 };
}
