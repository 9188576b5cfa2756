// Guessing a body's format from its first bytes: for `bench` (format not given) and for the hint
// a decode command prints when a body is not the format it was asked to read.
import { detectEncoding } from '../core/charset.js';

/** The formats the CLI can tell apart from a body's start. */
export type SniffedFormat =
  | 'generic'
  | 'generic-requests'
  | 'soap'
  | 'status'
  | 'fault'
  | 'dli-state'
  | 'jobprep-page'
  | 'filter'
  | 'unknown';

/** How many leading bytes {@link sniffFormat} looks at. */
export const SNIFF_BYTES = 4096;

const END_OF_GET_RESPONSE = 'http://hpc.microsoft.com/EndOfGetResponse';

function headText(head: Uint8Array): string {
  const { encoding, bomLength } = detectEncoding(head.subarray(0, 3));
  let bytes = head.subarray(bomLength, Math.min(head.length, SNIFF_BYTES));
  // An odd UTF-16 tail is half a character: drop it.
  if (encoding !== 'utf-8' && bytes.length % 2 === 1) bytes = bytes.subarray(0, bytes.length - 1);
  try {
    return new TextDecoder(encoding, { fatal: false, ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }
}

function sniffGeneric(text: string): SniffedFormat | undefined {
  // A generic body is separator-structured: fields split by U+FFFF, records ended by U+0000.
  const firstEnd = text.indexOf('\u0000');
  const record = firstEnd < 0 ? text : text.slice(0, firstEnd);
  if (!record.includes('\uffff') && firstEnd < 0) return undefined;
  if (text.includes(END_OF_GET_RESPONSE)) return 'generic';
  let fields = 1;
  for (let i = record.indexOf('\uffff'); i >= 0; i = record.indexOf('\uffff', i + 1)) fields++;
  if (firstEnd < 0) return fields >= 3 ? 'generic' : 'generic-requests';
  return fields === 2 ? 'generic-requests' : 'generic';
}

function sniffXml(text: string): SniffedFormat {
  const head = text.slice(0, 2048);
  if (/_WebAPI_MessageArray\b/.test(head)) return 'soap';
  // An HpcWebServiceFault holds a <Message> too: it is a fault, not a message array.
  if (/<(?:\w+:)?HpcWebServiceFault\b/.test(head)) return 'fault';
  if (/<(?:\w+:)?Message\b/.test(head)) return 'soap';
  if (/<(?:\w+:)?BrokerClientStatus\b/.test(head)) return 'status';
  return 'fault';
}

function sniffJson(text: string): SniffedFormat {
  const head = text.slice(0, 2048);
  if (/^\s*-?\d+\s*$/.test(text)) return 'status';
  if (/"value"\s*:\s*\[/.test(head) || /"odata\.nextLink"/.test(head)) return 'jobprep-page';
  if (/"state"\s*:/.test(head) && !/"error_code"|"error_msg"|"code"\s*:/.test(head)) return 'dli-state';
  return 'fault';
}

/**
 * The format a body most likely has, from its first bytes (up to {@link SNIFF_BYTES}): generic
 * records (responses with 3 fields, requests with 2), XML (message array, status or a fault),
 * JSON (list page, DLI state or an error body), a `$filter` expression, or `unknown`.
 */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (head.length === 0) return 'unknown';
  const text = headText(head);
  const generic = sniffGeneric(text);
  if (generic !== undefined) return generic;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) return sniffXml(trimmed);
  if (trimmed.startsWith('{') || /^-?\d+\s*$/.test(trimmed)) return sniffJson(trimmed);
  if (/^[\x20-\x7e\t\r\n]*$/.test(trimmed) && /\s(?:eq|ne|gt|ge|lt|le)\s|startswith\(/i.test(trimmed))
    return 'filter';
  return 'unknown';
}

// The command that reads each sniffed format.
const COMMANDS: Record<Exclude<SniffedFormat, 'unknown'>, string> = {
  generic: 'batchwire decode generic',
  'generic-requests': 'batchwire decode generic --requests',
  soap: 'batchwire decode soap',
  status: 'batchwire decode status',
  fault: 'batchwire decode fault',
  'dli-state': 'batchwire decode dli-state',
  'jobprep-page': 'batchwire decode jobprep-page',
  filter: 'batchwire filter check',
};

const DESCRIPTIONS: Record<Exclude<SniffedFormat, 'unknown'>, string> = {
  generic: 'a generic-service Get Responses body',
  'generic-requests': 'a generic-service Send Requests body (2 fields per record)',
  soap: 'an XML SOAP message array',
  status: 'a Get Request Status body',
  fault: 'an error body',
  'dli-state': 'a DLI batch state document',
  'jobprep-page': 'an Azure Batch list page',
  filter: 'an OData $filter',
};

/**
 * A hint for a body that failed to decode as `expected`, when its start looks like another
 * format: `this looks like <format>: try <command>`. `undefined` when it looks like what was
 * expected, or like nothing known.
 */
export function suggestFor(head: Uint8Array, expected: SniffedFormat): string | undefined {
  const found = sniffFormat(head);
  if (found === 'unknown' || found === expected) return undefined;
  return `the input looks like ${DESCRIPTIONS[found]}: try ${COMMANDS[found]}`;
}
