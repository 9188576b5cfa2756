import { END_OF_GET_RESPONSE_ACTION, type EndOfResponses } from '../core/end-of-responses.js';
import { BatchwireError, invalidArgument, isBatchwireError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { choiceOption, flagOption, isArray, optionsObject, textOption } from '../core/options.js';
import { ElementText, type NamespaceBinding, type QualifiedName, XmlFeed } from '../core/xml.js';
import { escapeAttribute, escapeText } from './escape.js';
import { HPC_NAMESPACE, SOAP12_NAMESPACE, WSA_NAMESPACE } from './header.js';
import type { SoapFaultMessage, SoapMessage } from './types.js';

/** A message to write: a {@link SoapMessage} whose `kind` may be left out and whose body may give `result` only. */
export interface SoapMessageInput extends Omit<SoapMessage, 'kind' | 'body'> {
  kind?: 'response';
  body: {
    name: string;
    namespace: string;
    /** Written as the body's `<{operation}Result>` child when `xml` is not given. */
    result?: string;
    /** The body element's inner XML, written as it is (it must be a well-formed fragment). */
    xml?: string;
    /**
     * Declarations `xml` uses from outside it, by prefix, written on the body element. Left out,
     * `xml` may use the body element's default namespace and the envelope's `s` and `a` prefixes.
     */
    namespaces?: Record<string, string>;
  };
}

/**
 * A fault to write: a {@link SoapFaultMessage} whose QNames as written may be left out (the
 * writer then picks prefixes), and whose codes may also be given as QName text, `'s:Receiver'`,
 * read against the envelope's prefixes (`s` SOAP 1.2, `a` WS-Addressing, none: no namespace).
 */
export interface SoapFaultInput
  extends Omit<SoapFaultMessage, 'code' | 'subcodes' | 'rawCode' | 'rawSubcodes'> {
  code: QualifiedName | string;
  subcodes?: (QualifiedName | string)[];
  rawCode?: string;
  rawSubcodes?: string[];
}

/** The closing record to write: the count defaults to the number of messages and faults written. */
export interface EndOfResponsesInput {
  kind: 'end';
  count?: number;
  /** @defaultValue `'Success'` */
  reason?: string;
  rawReason?: string;
}

/** What {@link writeMessageArray} writes. */
export type SoapWriteRecord = SoapMessageInput | SoapFaultInput | EndOfResponses | EndOfResponsesInput;

/** Options of {@link writeMessageArray}. */
export interface SoapWriteOptions {
  /** Element names of the broker headers: the documentation's or the runtime's. @defaultValue `'HPCPack2008'` */
  flavour?: 'HPCPack2008' | 'HPCServer2008';
  /** Name of the root element. @defaultValue `'{flavour}_WebAPI_MessageArray'` */
  root?: string;
  /** Write `<?xml version="1.0" encoding="utf-8"?>` first. @defaultValue false */
  declaration?: boolean;
}

const FLAVOURS = ['HPCPack2008', 'HPCServer2008'] as const;
const WHAT = 'writeMessageArray';

// XML names as XML 1.0 (5th edition) allows them, without the colon (local names only).
const NAME = /^[\p{L}_][\p{L}\p{N}\p{M}._\u00B7\u203F\u2040-]*$/u;

function checkName(name: string, field: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new BatchwireError(
      'INVALID_FIELD',
      `${field} ${typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : `(a ${typeof name})`} is not an XML name`,
      0,
    );
  }
  return name;
}

// A namespace no document uses: declared as the default around a fragment under check, it shows
// whether the fragment has unprefixed elements that take the default namespace from outside.
const UNSET_DEFAULT = 'urn:batchwire:writer:unset-default';

/** The declarations of a `namespaces` map, checked, as attribute text (` xmlns:p="..."`). */
function declarations(namespaces: unknown, field: string): { text: string; map: Map<string, string> } {
  if (typeof namespaces !== 'object' || namespaces === null || Array.isArray(namespaces)) {
    throw new BatchwireError('INVALID_FIELD', `${field} must be an object of prefix to namespace URI`, 0);
  }
  const map = new Map<string, string>();
  let text = '';
  for (const [prefix, uri] of Object.entries(namespaces)) {
    if (prefix !== '') checkName(prefix, `${field} prefix`);
    if (typeof uri !== 'string') {
      throw new BatchwireError('INVALID_FIELD', `${field}[${JSON.stringify(prefix)}] must be a string`, 0);
    }
    map.set(prefix, uri);
    const value = escapeAttribute(uri, field);
    // The default first: checkFragment looks for it there.
    if (prefix === '') text = ` xmlns="${value}"${text}`;
    else text += ` xmlns:${prefix}="${value}"`;
  }
  return { text, map };
}

/** A prefix `map` leaves free, for an element that must not take the fragment's default namespace. */
function freePrefix(map: Map<string, string>): string {
  let prefix = 'b';
  for (let i = 1; map.has(prefix); i++) prefix = `b${i}`;
  return prefix;
}

/** What {@link checkFragment} learnt of a fragment, as the reader will read it. */
interface FragmentUse {
  /** An unprefixed element takes the default namespace from outside (none declared in the scope). */
  usesDefault: boolean;
  /** Prefixes (`''`: the default) of the scope's declarations that the fragment uses. */
  used: Set<string>;
  /** The text of its one text-only `...Result` child: what the reader gives as `result`. */
  result: string | undefined;
}

/**
 * Checks that `xml` is a well-formed, balanced fragment (so it cannot close the body or the
 * envelope it is written into) with no DOCTYPE or XML declaration, with `scope` (declarations as
 * attribute text) in scope, and says what the reader will make of it: which declarations of the
 * scope it uses (by the reader's rule: element and attribute prefixes, and `xsi:type` QNames) and
 * the `result` of its `...Result` child.
 */
function checkFragment(xml: string, field: string, scope: string): FragmentUse {
  if (typeof xml !== 'string') throw new BatchwireError('INVALID_FIELD', `${field} must be a string`, 0);
  const use: FragmentUse = { usesDefault: false, used: new Set(), result: undefined };
  if (xml === '') return use;
  let closedAt = -1;
  let results = 0;
  let complex = false;
  const mark = (binding: NamespaceBinding | undefined) => {
    if (binding === undefined || binding.depth !== 1) return;
    if (binding.uri === UNSET_DEFAULT) use.usesDefault = true;
    else if (binding.uri !== '') use.used.add(binding.prefix);
  };
  const feed: XmlFeed = new XmlFeed(
    {
      open: (name, depth, binding) => {
        if (depth === 1) return;
        mark(binding);
        for (let i = 0; i < feed.attributeCount; i++) {
          mark(feed.attributeBindings[i]);
          const value = feed.attributeValues[i]!;
          const colon = value.indexOf(':');
          if (feed.attributeNames[i]!.endsWith(':type') && colon > 0)
            mark(feed.scope.lookup(value.slice(0, colon).trim()));
        }
        if (depth === 2) {
          complex = false;
          if (name.endsWith('Result')) text.start(2);
        } else if (depth === 3 && !complex) {
          complex = true;
          text.stop();
        }
      },
      close: (name, depth) => {
        if (depth === 1 && closedAt < 0) closedAt = feed.position;
        if (depth !== 2 || !name.endsWith('Result')) return;
        results++;
        use.result = complex ? undefined : text.take();
      },
      text: (value) => text.add(value),
    },
    { maxDepth: Number.MAX_SAFE_INTEGER, maxTextLength: DEFAULT_LIMITS.maxTextLength },
  );
  const text = new ElementText(feed, DEFAULT_LIMITS.maxTextLength);
  // A default the scope declares itself stands for the sentinel.
  const open = `<f${scope.startsWith(' xmlns=') ? '' : ` xmlns="${UNSET_DEFAULT}"`}${scope}>`;
  try {
    feed.write(`${open}${xml}</f>`);
    feed.flush();
    feed.close();
  } catch (error) {
    throw new BatchwireError('INVALID_FIELD', `${field} is not a well-formed XML fragment`, 0, {
      cause: error,
    });
  }
  if (closedAt !== open.length + xml.length + 4) {
    throw new BatchwireError('INVALID_FIELD', `${field} is not a balanced XML fragment`, 0);
  }
  if (results !== 1) use.result = undefined;
  return use;
}

/**
 * The start and end tags of the element named `local` in `namespace` written around the fragment
 * `xml`, declaring `namespaces` on it so that the reader gives the same map back. Without a map,
 * `xml` may use the envelope's prefixes and `namespace` as its default (what the reader reads
 * back then names them). `preferred` is the prefix to write the element with ('' for none).
 */
function around(
  local: string,
  namespace: string,
  preferred: string,
  xml: string,
  namespaces: unknown,
  at: string,
  xmlField: string,
  mapField: string,
): { open: string; close: string; result: string | undefined } {
  const field = `${at}.${xmlField}`;
  const uri = (value: string) => escapeAttribute(value, `${at}.namespace`);
  if (namespaces === undefined) {
    const { result } = checkFragment(xml, field, LEGACY_SCOPE);
    const name = preferred === '' ? local : `${preferred}:${local}`;
    const declaration = preferred === '' && namespace !== '' ? ` xmlns="${uri(namespace)}"` : '';
    return { open: `<${name}${declaration}>`, close: `</${name}>`, result };
  }
  const { text, map } = declarations(namespaces, `${at}.${mapField}`);
  const { usesDefault, used, result } = checkFragment(xml, field, text);
  // The reader gives back only the declarations the fragment uses: any other would be lost.
  for (const prefix of map.keys()) {
    if (!used.has(prefix)) {
      throw new BatchwireError(
        'INVALID_FIELD',
        `${at}.${mapField} declares ${prefix === '' ? 'a default namespace' : `prefix ${JSON.stringify(prefix)}`}, which ${field} does not use (it would not read back)`,
        0,
      );
    }
  }
  const inner = map.get('');
  // Unprefixed where the fragment's default namespace allows it.
  if (
    preferred === '' &&
    (inner === namespace || (inner === undefined && (!usesDefault || namespace === '')))
  ) {
    const declaration = inner === undefined && namespace !== '' ? ` xmlns="${uri(namespace)}"` : '';
    return { open: `<${local}${declaration}${text}>`, close: `</${local}>`, result };
  }
  if (namespace === '') {
    throw new BatchwireError(
      'INVALID_FIELD',
      `${at}.${mapField} gives a default namespace, which an element in no namespace cannot pass on`,
      0,
    );
  }
  const prefix = preferred !== '' && !map.has(preferred) ? preferred : freePrefix(map);
  const name = `${prefix}:${local}`;
  return { open: `<${name} xmlns:${prefix}="${uri(namespace)}"${text}>`, close: `</${name}>`, result };
}

/** Refuses the closing action on a message or fault: the reader would take it for the end. */
function checkAction(action: unknown, field: string): void {
  if (typeof action === 'string' && action.trim() === END_OF_GET_RESPONSE_ACTION) {
    throw new BatchwireError(
      'INVALID_FIELD',
      `${field} is the closing action ${END_OF_GET_RESPONSE_ACTION}, which would end the array`,
      0,
    );
  }
}

// The prefixes a fault envelope binds, and the namespace each reads as in element content.
const ENVELOPE_PREFIXES = new Map([
  ['s', SOAP12_NAMESPACE],
  ['a', WSA_NAMESPACE],
  ['', ''],
]);

// Writes one fault code level: the QName as written when it reads back as `name`, else one the
// writer makes (declaring a prefix on the Value element when the namespace needs one).
function codeValue(name: QualifiedName | string, raw: string | undefined, field: string): string {
  if (typeof name === 'string') return element('s:Value', name, field);
  if (
    typeof name !== 'object' ||
    name === null ||
    typeof name.name !== 'string' ||
    typeof name.namespace !== 'string'
  ) {
    throw new BatchwireError('INVALID_FIELD', `${field} must be { namespace, name } or QName text`, 0);
  }
  checkName(name.name, `${field}.name`);
  if (raw !== undefined) {
    const text = raw.trim();
    const colon = text.indexOf(':');
    const prefix = colon < 0 ? '' : text.slice(0, colon);
    const local = text.slice(colon + 1);
    const bound = ENVELOPE_PREFIXES.get(prefix);
    if (local === name.name) {
      if (bound === name.namespace) return element('s:Value', raw, field);
      // A prefix the envelope leaves free: declared where it is used, or left unbound for ''.
      if (bound === undefined && NAME.test(prefix)) {
        const declaration =
          name.namespace === ''
            ? ''
            : ` xmlns:${prefix}="${escapeAttribute(name.namespace, `${field}.namespace`)}"`;
        return element('s:Value', raw, field, declaration);
      }
    }
  }
  if (name.namespace === SOAP12_NAMESPACE) return element('s:Value', `s:${name.name}`, field);
  if (name.namespace === WSA_NAMESPACE) return element('s:Value', `a:${name.name}`, field);
  if (name.namespace === '') return element('s:Value', name.name, field);
  const declaration = ` xmlns:c="${escapeAttribute(name.namespace, `${field}.namespace`)}"`;
  return element('s:Value', `c:${name.name}`, field, declaration);
}

function element(name: string, value: string | undefined, field: string, attributes = ''): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new BatchwireError('INVALID_FIELD', `${field} must be a string`, 0);
  return `<${name}${attributes}>${escapeText(value, field)}</${name}>`;
}

function envelope(header: string, body: string): string {
  return `<s:Envelope xmlns:s="${SOAP12_NAMESPACE}" xmlns:a="${WSA_NAMESPACE}"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

const MUST = ' s:mustUnderstand="1"';

// What a fragment written without a namespaces map may use: the envelope's prefixes.
const LEGACY_SCOPE = ` xmlns:s="${SOAP12_NAMESPACE}" xmlns:a="${WSA_NAMESPACE}"`;

function brokerHeader(flavour: string, name: string, value: string | undefined, field: string): string {
  return element(`${flavour}_Broker_${name}`, value, field, ` xmlns="${HPC_NAMESPACE}"`);
}

function writeMessage(message: SoapMessageInput, flavour: string, index: number): string {
  const at = `messages[${index}]`;
  checkAction(message.action, `${at}.action`);
  let header = element('a:Action', message.action, `${at}.action`, MUST);
  header += element('a:RelatesTo', message.relatesTo, `${at}.relatesTo`);
  header += element('a:MessageID', message.messageId, `${at}.messageId`);
  header += element('a:To', message.to, `${at}.to`, MUST);
  header += brokerHeader(flavour, 'RequestActionNS', message.requestAction, `${at}.requestAction`);
  header += brokerHeader(flavour, 'UserDataNS', message.userData, `${at}.userData`);
  header += brokerHeader(flavour, 'ClientIdNS', message.clientId, `${at}.clientId`);
  const { body } = message;
  if (typeof body !== 'object' || body === null) {
    throw new BatchwireError('INVALID_FIELD', `${at}.body must be { name, namespace, result?, xml? }`, 0);
  }
  const name = checkName(body.name, `${at}.body.name`);
  if (typeof body.namespace !== 'string') {
    throw new BatchwireError('INVALID_FIELD', `${at}.body.namespace must be a string`, 0);
  }
  let inner: string;
  if (body.xml !== undefined) inner = body.xml;
  else if (body.result !== undefined) {
    const operation = name.endsWith('Response') ? name.slice(0, -'Response'.length) : name;
    inner = element(`${operation}Result`, body.result, `${at}.body.result`);
  } else inner = '';
  const tags = around(name, body.namespace, '', inner, body.namespaces, `${at}.body`, 'xml', 'namespaces');
  // With both, `result` must be what the reader will take from `xml`.
  if (body.xml !== undefined && body.result !== undefined && body.result !== tags.result) {
    throw new BatchwireError(
      'INVALID_FIELD',
      `${at}.body.result is not the text of the one ...Result child of ${at}.body.xml (it would not read back)`,
      0,
    );
  }
  return envelope(header, `${tags.open}${inner}${tags.close}`);
}

function writeFault(fault: SoapFaultInput, flavour: string, index: number): string {
  const at = `messages[${index}]`;
  checkAction(fault.action, `${at}.action`);
  let header = element('a:Action', fault.action, `${at}.action`, MUST);
  header += element('a:RelatesTo', fault.relatesTo, `${at}.relatesTo`);
  header += brokerHeader(flavour, 'UserDataNS', fault.userData, `${at}.userData`);
  let code = `<s:Code>${codeValue(fault.code, fault.rawCode, `${at}.code`)}`;
  let close = '</s:Code>';
  const subcodes = fault.subcodes ?? [];
  if (!Array.isArray(subcodes))
    throw new BatchwireError('INVALID_FIELD', `${at}.subcodes must be an array`, 0);
  for (let i = 0; i < subcodes.length; i++) {
    code += `<s:Subcode>${codeValue(subcodes[i]!, fault.rawSubcodes?.[i], `${at}.subcodes[${i}]`)}`;
    close = `</s:Subcode>${close}`;
  }
  let body = `<s:Fault>${code}${close}<s:Reason>${element('s:Text', fault.reason, `${at}.reason`, ' xml:lang="en-US"')}</s:Reason>`;
  if (fault.detail !== undefined) {
    const d = fault.detail;
    const tags = around(
      'Detail',
      SOAP12_NAMESPACE,
      's',
      d,
      fault.detailNamespaces,
      at,
      'detail',
      'detailNamespaces',
    );
    body += `${tags.open}${d}${tags.close}`;
  }
  return envelope(header, `${body}</s:Fault>`);
}

function writeEnd(end: EndOfResponsesInput | EndOfResponses, received: number, flavour: string): string {
  const count = end.count ?? received;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new BatchwireError(
      'INVALID_FIELD',
      `the closing count must be a non-negative integer, got ${count}`,
      0,
    );
  }
  const reason = end.rawReason ?? end.reason ?? 'Success';
  const header =
    element('a:Action', END_OF_GET_RESPONSE_ACTION, 'action', MUST) +
    `<${flavour}_Broker_ResponseCallbackId xmlns="${HPC_NAMESPACE}"/>` +
    element('a:To', 'http://www.w3.org/2005/08/addressing/anonymous', 'to', MUST);
  return envelope(
    header,
    `<EndOfResponses xmlns="http://tempuri.org/"><Count>${count}</Count>${element('Reason', reason, 'reason')}</EndOfResponses>`,
  );
}

/**
 * Writes a SOAP message array: the inverse of {@link readMessageArray}, for Send Requests bodies
 * (messages only) and for emulators and fuzzers that need Get Responses bodies (messages, faults
 * and a closing `{ kind: 'end' }` record). Every value is escaped, so no value can add markup:
 * `]]>` cannot appear, `\r` is written as `&#xD;`, and a character XML 1.0 cannot carry (a C0
 * control, a lone surrogate) is an `INVALID_FIELD` error. `body.xml` and fault `detail` are XML
 * by nature: they are checked to be balanced, well-formed fragments.
 *
 * @throws {@link BatchwireError} `INVALID_FIELD`
 *
 * @example
 * ```ts
 * import { writeMessageArray } from 'batchwire/soap';
 * const body = writeMessageArray([
 *   { action: 'http://tempuri.org/ICalculator/AddResponse', userData: 'task-1',
 *     body: { name: 'AddResponse', namespace: 'http://tempuri.org/', result: '3' } },
 *   { kind: 'end', reason: 'Success' },
 * ]);
 * ```
 */
export function writeMessageArray(
  messages: readonly SoapWriteRecord[],
  options: SoapWriteOptions = {},
): string {
  if (!isArray(messages)) {
    throw new BatchwireError('INVALID_ARGUMENT', 'writeMessageArray: expected an array of records', 0);
  }
  const read = optionsObject(options, WHAT);
  const flavour = choiceOption(read, 'flavour', FLAVOURS, 'HPCPack2008', WHAT);
  const root = checkName(textOption(read, 'root', WHAT) ?? `${flavour}_WebAPI_MessageArray`, 'options.root');
  const declaration = flagOption(read, 'declaration', false, WHAT);
  const parts: string[] = [declaration ? '<?xml version="1.0" encoding="utf-8"?>' : '', `<${root}>`];
  try {
    writeRecords(messages, flavour, parts);
  } catch (error) {
    // A record (or the array) that is a proxy or has getters that throw is a bad argument.
    if (isBatchwireError(error)) throw error;
    throw invalidArgument('writeMessageArray: reading the records threw', error);
  }
  parts.push(`</${root}>`);
  return parts.join('');
}

function writeRecords(messages: readonly SoapWriteRecord[], flavour: string, parts: string[]): void {
  let received = 0;
  for (let i = 0; i < messages.length; i++) {
    const record = messages[i]!;
    if (typeof record !== 'object' || record === null) {
      throw new BatchwireError('INVALID_FIELD', `messages[${i}] is not a record`, 0);
    }
    if (record.kind === 'end') {
      parts.push(writeEnd(record, received, flavour));
      if (i !== messages.length - 1) {
        throw new BatchwireError('INVALID_FIELD', 'the closing record must be the last one', 0);
      }
    } else if (record.kind === 'fault') {
      parts.push(writeFault(record, flavour, i));
      received++;
    } else {
      parts.push(writeMessage(record, flavour, i));
      received++;
    }
  }
}
