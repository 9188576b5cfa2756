// The SOAP header blocks a message array's envelopes carry: WS-Addressing and the HPC broker's.

/** SOAP 1.2 envelope namespace. */
export const SOAP12_NAMESPACE = 'http://www.w3.org/2003/05/soap-envelope';
/** SOAP 1.1 envelope namespace (some stacks answer faults in it). */
export const SOAP11_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
/** WS-Addressing 1.0 namespace. */
export const WSA_NAMESPACE = 'http://www.w3.org/2005/08/addressing';
// The 2004/08 submission, which older WCF bindings still write.
const WSA2004_NAMESPACE = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
/** The namespace of the HPC broker's header elements. */
export const HPC_NAMESPACE = 'http://www.microsoft.com/hpc';

import type { NamespaceBinding } from '../core/xml.js';

// Which header namespace a binding is, worked out once per declaration (NamespaceBinding.kind)
// rather than by comparing URIs at every header block.
const NS_OTHER = 0;
const NS_WSA = 1;
const NS_HPC = 2;

function namespaceKind(binding: NamespaceBinding): number {
  let kind = binding.kind;
  if (kind < 0) {
    const uri = binding.uri;
    kind =
      uri === WSA_NAMESPACE || uri === WSA2004_NAMESPACE ? NS_WSA : uri === HPC_NAMESPACE ? NS_HPC : NS_OTHER;
    binding.kind = kind;
  }
  return kind;
}

/** Header fields, by index into {@link HeaderFields}. */
export const F_ACTION = 0;
export const F_RELATES_TO = 1;
export const F_MESSAGE_ID = 2;
export const F_TO = 3;
export const F_REQUEST_ACTION = 4;
export const F_USER_DATA = 5;
export const F_CLIENT_ID = 6;
export const F_HPC_MESSAGE_ID = 7;
const FIELD_COUNT = 8;

// The local name, compared whole: a string switch compares lengths first, then characters
// (String#startsWith at an offset measured several times slower).
function wsaField(local: string): number {
  switch (local) {
    case 'Action':
      return F_ACTION;
    case 'RelatesTo':
      return F_RELATES_TO;
    case 'MessageID':
      return F_MESSAGE_ID;
    case 'To':
      return F_TO;
    default:
      return -1;
  }
}

// The documentation writes HPCPack2008_Broker_, the runtime HPCServer2008_Broker_: read both.
function hpcField(local: string): number {
  switch (local) {
    case 'HPCPack2008_Broker_RequestActionNS':
    case 'HPCServer2008_Broker_RequestActionNS':
      return F_REQUEST_ACTION;
    case 'HPCPack2008_Broker_UserDataNS':
    case 'HPCServer2008_Broker_UserDataNS':
      return F_USER_DATA;
    case 'HPCPack2008_Broker_ClientIdNS':
    case 'HPCServer2008_Broker_ClientIdNS':
      return F_CLIENT_ID;
    case 'HPCPack2008_Broker_MessageIdNS':
    case 'HPCServer2008_Broker_MessageIdNS':
      return F_HPC_MESSAGE_ID;
    default:
      return -1;
  }
}

/**
 * The field a header block holds, by its namespace and raw name (the local name follows the
 * colon, if any), or -1 for a block the reader does not keep.
 */
export function headerField(binding: NamespaceBinding | undefined, name: string): number {
  if (binding === undefined) return -1;
  const kind = namespaceKind(binding);
  if (kind === NS_OTHER) return -1;
  const colon = name.indexOf(':');
  const local = colon < 0 ? name : name.slice(colon + 1);
  return kind === NS_WSA ? wsaField(local) : hpcField(local);
}

/** The header values of the envelope being read. */
export class HeaderFields {
  values: (string | undefined)[] = new Array(FIELD_COUNT);

  get action(): string | undefined {
    return this.values[F_ACTION];
  }

  get relatesTo(): string | undefined {
    return this.values[F_RELATES_TO];
  }

  get messageId(): string | undefined {
    return this.values[F_MESSAGE_ID] ?? this.values[F_HPC_MESSAGE_ID];
  }

  get to(): string | undefined {
    return this.values[F_TO];
  }

  get requestAction(): string | undefined {
    return this.values[F_REQUEST_ACTION];
  }

  get userData(): string | undefined {
    return this.values[F_USER_DATA];
  }

  get clientId(): string | undefined {
    return this.values[F_CLIENT_ID];
  }

  /** Forgets the values, for the next envelope. */
  clear(): void {
    this.values = new Array(FIELD_COUNT);
  }
}
