import type { EncodingOption } from '../core/charset.js';
import type { EndOfResponses } from '../core/end-of-responses.js';
import type { SoapFaultCode } from './fault.js';

export type { EndOfResponses, EndOfResponsesReason } from '../core/end-of-responses.js';

/** The body of a SOAP response: its one element, and that element's content as XML. */
export interface SoapBody {
  /** Local name of the body element (the reply, e.g. `AddResponse`). */
  name: string;
  /** Namespace URI of the body element (`''` when it has none). */
  namespace: string;
  /**
   * The text of the body element's single `...Result` child, when it has exactly one and that
   * child holds text only (the usual shape of a WCF reply with one return value).
   */
  result?: string;
  /**
   * The body element's inner XML, exactly as written (character references, CDATA and line ends
   * untouched). Prefixes in it may be declared outside it: see `namespaces`.
   */
  xml: string;
  /**
   * The namespace declarations `xml` uses from outside it (on the body element, the envelope or
   * the array's root), by prefix (`''`: the default namespace): `{ '': 'http://tempuri.org/' }`.
   * Declare them on an element around `xml` to read it with any XML parser. One map per message,
   * so a long namespace URI is never copied per element.
   */
  namespaces: Record<string, string>;
}

/** One SOAP response envelope of a message array. */
export interface SoapMessage {
  kind: 'response';
  /** WS-Addressing `Action`: the reply action. */
  action: string;
  /** WS-Addressing `RelatesTo`: the request's message id (`urn:uuid:...`). */
  relatesTo?: string;
  /** WS-Addressing `MessageID` (or the broker's `..._Broker_MessageIdNS` header). */
  messageId?: string;
  /** WS-Addressing `To`. */
  to?: string;
  /** The broker's `..._Broker_RequestActionNS` header: the request's action. */
  requestAction?: string;
  /** The broker's `..._Broker_UserDataNS` header: the user data sent with the request. */
  userData?: string;
  /** The broker's `..._Broker_ClientIdNS` header. */
  clientId?: string;
  body: SoapBody;
}

/** A name resolved by namespace (a SOAP fault code): the same whatever prefix the service wrote. */
export type { QualifiedName } from '../core/xml.js';
export type { SoapFaultCode } from './fault.js';

/** A SOAP 1.2 fault (or a SOAP 1.1 fault: `faultcode`, `faultstring`, `detail`) in a message array. */
export interface SoapFaultMessage extends SoapFaultCode {
  kind: 'fault';
  /** WS-Addressing `Action` of the fault envelope, e.g. `http://hpc.microsoft.com/session/SessionFault`. */
  action?: string;
  /** The first `Reason/Text` (SOAP 1.2) or `faultstring` (SOAP 1.1). */
  reason: string;
  /** The inner XML of `Detail` (SOAP 1.2) or `detail` (SOAP 1.1), when there is one, as written. */
  detail?: string;
  /** The namespace declarations `detail` uses from outside it, by prefix, when there is a detail. */
  detailNamespaces?: Record<string, string>;
  /** WS-Addressing `RelatesTo`, when the fault answers a request. */
  relatesTo?: string;
  /** The broker's user data header, when the fault carries it. */
  userData?: string;
}

/** What a message array reader yields: messages, faults, and the closing record. */
export type SoapRecord = SoapMessage | SoapFaultMessage | EndOfResponses;

/** Options of the message array readers. */
export interface SoapReadOptions {
  /** @defaultValue `'auto'` (byte order mark, then `contentType`, then zero-byte sniffing, then UTF-8) */
  encoding?: EncodingOption;
  /** The response's Content-Type header; its `charset` guides `'auto'`. */
  contentType?: string | undefined;
  /** Deepest element nesting, counting the array's root as 1. @defaultValue 64 */
  maxDepth?: number;
  /** Largest single envelope (or start tag outside one), in input units: bytes, or characters for string input. @defaultValue 16 MiB */
  maxMessageBytes?: number;
  /** Longest text read into a field (a header, a result), in characters. @defaultValue 16 MiB */
  maxTextLength?: number;
  /** Check the closing record's count against the messages received. @defaultValue true */
  verifyCount?: boolean;
  /**
   * Require the closing `EndOfGetResponse` envelope (a Get Responses body). Set to false to read
   * a Send Requests body, which has none. @defaultValue true
   */
  requireEnd?: boolean;
}
