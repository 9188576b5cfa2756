import fc from 'fast-check';
import type { EndOfResponses } from '../core/end-of-responses.js';
import { escapeText } from '../soap/escape.js';
import { BROKER_CLIENT_STATUSES, type BrokerClientStatus } from '../soap/status.js';
import type { QualifiedName, SoapFaultMessage, SoapMessage, SoapRecord } from '../soap/types.js';
import { writeMessageArray } from '../soap/writer.js';
import { countOption, optionsObject } from './options.js';

// Characters XML 1.0 cannot carry at all: C0 controls other than tab, LF, CR; U+FFFE, U+FFFF.
const UNREPRESENTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/u;

/**
 * Text any XML 1.0 document can carry, biased towards what breaks naive writers: `<`, `&`,
 * `]]>`, quotes, CR/LF/tab, astral characters, and long runs.
 *
 * @example
 * ```ts
 * fc.sample(soapText(), 5);
 * ```
 */
export function soapText(options: { maxLength?: number } = {}): fc.Arbitrary<string> {
  const maxLength = countOption(optionsObject(options, 'soapText'), 'maxLength', 40, 'soapText');
  const piece = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => !UNREPRESENTABLE.test(s)),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '<',
        '&',
        ']]>',
        '&amp;',
        '"',
        "'",
        '\r\n',
        '\t',
        ' ',
        '😀',
        '𝄞',
        'é',
        '<![CDATA[x]]>',
      ),
    },
  );
  return fc.array(piece, { maxLength: Math.max(1, Math.ceil(maxLength / 4)) }).map((parts) => parts.join(''));
}

const NAMESPACES = ['http://tempuri.org/', 'http://contoso.com/calc/2024', 'urn:batchwire:test'];
const OPERATIONS = ['Add', 'Compute', 'Echo', 'GetData', 'Sleep'];

function withOptional<T extends object>(
  base: T,
  optional: Record<string, string | undefined>,
  extra: Record<string, unknown> = {},
): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return Object.assign(out, extra) as T;
}

/**
 * One SOAP response as the reader returns it (so `read(write(x))` equals `x`): a `...Result`
 * with text, or a small structured result; optional headers present or absent.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(soapMessage(), (m) => m.kind === 'response'));
 * ```
 */
export function soapMessage(): fc.Arbitrary<SoapMessage> {
  const optional = fc.option(soapText(), { nil: undefined });
  return fc
    .record({
      operation: fc.constantFrom(...OPERATIONS),
      namespace: fc.constantFrom(...NAMESPACES),
      result: soapText({ maxLength: 80 }),
      structured: fc.boolean(),
      action: soapText(),
      relatesTo: fc.option(
        fc.uuid().map((u) => `urn:uuid:${u}`),
        { nil: undefined },
      ),
      messageId: optional,
      to: fc.option(fc.constant('http://www.w3.org/2005/08/addressing/anonymous'), { nil: undefined }),
      requestAction: optional,
      userData: optional,
      clientId: optional,
    })
    .map((r) => {
      const name = `${r.operation}Response`;
      const text = escapeText(r.result);
      const xml = r.structured
        ? `<${r.operation}Result xmlns="${r.namespace}"><Value>${text}</Value><Count>1</Count></${r.operation}Result>`
        : `<${r.operation}Result xmlns="${r.namespace}">${text}</${r.operation}Result>`;
      // The result element declares its namespace itself: the body uses no declaration from outside.
      const body = r.structured
        ? { name, namespace: r.namespace, xml, namespaces: {} }
        : { name, namespace: r.namespace, xml, namespaces: {}, result: r.result };
      return withOptional<SoapMessage>(
        { kind: 'response', action: r.action, body },
        {
          relatesTo: r.relatesTo,
          messageId: r.messageId,
          to: r.to,
          requestAction: r.requestAction,
          userData: r.userData,
          clientId: r.clientId,
        },
      );
    });
}

// The prefixes the writer's envelopes bind; an unprefixed code is in no namespace there.
const CODE_NAMESPACES: Record<string, string> = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://www.w3.org/2005/08/addressing',
};

function qualified(raw: string): QualifiedName {
  const colon = raw.indexOf(':');
  return colon < 0
    ? { namespace: '', name: raw }
    : { namespace: CODE_NAMESPACES[raw.slice(0, colon)] ?? '', name: raw.slice(colon + 1) };
}

/**
 * A SOAP 1.2 fault as the reader returns it: `s:Sender`/`s:Receiver` with subcodes (resolved by
 * namespace, and as written), a reason, and sometimes a detail and one of the HPC session fault
 * actions.
 *
 * @example
 * ```ts
 * fc.sample(soapFault(), 1)[0].code; // { namespace: 'http://www.w3.org/2003/05/soap-envelope', name: 'Receiver' }
 * ```
 */
export function soapFault(): fc.Arbitrary<SoapFaultMessage> {
  return fc
    .record({
      code: fc.constantFrom('s:Sender', 's:Receiver'),
      subcodes: fc.array(
        fc.constantFrom('a:DestinationUnreachable', 'a:ActionNotSupported', 'RetryLimitExceeded'),
        {
          maxLength: 3,
        },
      ),
      reason: soapText(),
      detail: fc.option(
        soapText().map(
          (t) =>
            `<SessionFault xmlns="http://hpc.microsoft.com/session/"><Reason>${escapeText(t)}</Reason></SessionFault>`,
        ),
        { nil: undefined },
      ),
      action: fc.option(
        fc.constantFrom(
          'http://hpc.microsoft.com/session/SessionFault',
          'http://hpc.microsoft.com/session/RetryOperationError',
          'http://hpc.microsoft.com/session/AuthenticationFailure',
          'http://www.w3.org/2005/08/addressing/soap/fault',
        ),
        { nil: undefined },
      ),
      relatesTo: fc.option(
        fc.uuid().map((u) => `urn:uuid:${u}`),
        { nil: undefined },
      ),
      userData: fc.option(soapText(), { nil: undefined }),
    })
    .map((r) =>
      withOptional<SoapFaultMessage>(
        {
          kind: 'fault',
          code: qualified(r.code),
          subcodes: r.subcodes.map(qualified),
          rawCode: r.code,
          rawSubcodes: r.subcodes,
          reason: r.reason,
        },
        { detail: r.detail, action: r.action, relatesTo: r.relatesTo, userData: r.userData },
        r.detail === undefined ? {} : { detailNamespaces: {} },
      ),
    );
}

/**
 * A whole Get Responses message array (text) with the records a reader must return for it:
 * messages and faults, then the closing record. Both element-name flavours appear.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(soapMessageArray(), ({ xml, records }) => parseMessageArray(xml).messages.length === records.length - 1));
 * ```
 */
export function soapMessageArray(
  options: { maxMessages?: number } = {},
): fc.Arbitrary<{ xml: string; records: SoapRecord[]; flavour: 'HPCPack2008' | 'HPCServer2008' }> {
  const o = optionsObject(options, 'soapMessageArray');
  const maxMessages = countOption(o, 'maxMessages', 6, 'soapMessageArray');
  return fc
    .record({
      messages: fc.array(
        fc.oneof({ weight: 4, arbitrary: soapMessage() }, { weight: 1, arbitrary: soapFault() }),
        {
          maxLength: maxMessages,
        },
      ),
      reason: fc.constantFrom('Success', 'ClientPurged', 'ClientTimeout'),
      flavour: fc.constantFrom('HPCPack2008' as const, 'HPCServer2008' as const),
      declaration: fc.boolean(),
    })
    .map(({ messages, reason, flavour, declaration }) => {
      const end: EndOfResponses = {
        kind: 'end',
        count: messages.length,
        reason,
        rawReason: reason,
        received: messages.length,
      };
      const records: SoapRecord[] = [...messages, end];
      return { xml: writeMessageArray(records, { flavour, declaration }), records, flavour };
    });
}

/**
 * A Get Request Status body in either form, with the status it holds and its Content-Type.
 *
 * @example
 * ```ts
 * fc.sample(brokerClientStatusBody(), 1)[0]; // { body: '2', contentType: 'application/json', status: 'Processing' }
 * ```
 */
export function brokerClientStatusBody(): fc.Arbitrary<{
  body: string;
  contentType: string;
  status: BrokerClientStatus;
}> {
  return fc
    .record({
      index: fc.integer({ min: 0, max: 3 }),
      json: fc.boolean(),
      space: fc.constantFrom('', ' ', '\n'),
    })
    .map(({ index, json, space }) => {
      const status = BROKER_CLIENT_STATUSES[index]!;
      return json
        ? { body: `${space}${index}${space}`, contentType: 'application/json; charset=utf-8', status }
        : {
            body: `<BrokerClientStatus xmlns="http://hpc.microsoft.com">${space}${status}${space}</BrokerClientStatus>`,
            contentType: 'application/xml; charset=utf-8',
            status,
          };
    });
}
