// The public shapes of the HPC Pack emulation: the service behind a session, its options, and
// the snapshots of sessions and batches. Apart from the handlers, so the state and the response
// cursor read them without importing the handlers.
import type { BrokerClientStatus, QualifiedName } from '../soap/index.js';

/** One SOA request, as the emulator hands it to the service behind a session. */
export interface HpcServiceRequest {
  sessionId: number;
  /** The `ServiceName` the session was created for. */
  serviceName: string;
  batchName: string;
  /** Position of the request in its batch, from 0. */
  index: number;
  /** True for a generic-service request (`input U+FFFF userData U+0000`). */
  generic: boolean;
  /** The request action (`.../GenericOperation` for a generic request). */
  action: string;
  /** A generic request's input; for a SOAP request, the body element's inner XML. */
  input: string;
  /** The request's user data (`''` when it had none). */
  userData: string;
  /** SOAP: the WS-Addressing `MessageID`. */
  messageId?: string;
  /** SOAP: the body element's local name and namespace. */
  body?: { name: string; namespace: string };
}

/** A SOAP fault the service answers a request with. */
export interface HpcServiceFault {
  /** The fault envelope's action. @defaultValue `http://hpc.microsoft.com/session/SessionFault` */
  action?: string;
  /** The SOAP 1.2 `Code/Value`. @defaultValue `s:Receiver` */
  code?: string | QualifiedName;
  subcodes?: (string | QualifiedName)[];
  reason: string;
  /** Inner XML of `Detail` (a well-formed fragment). */
  detail?: string;
}

/**
 * What a service answers: the output text; or an object with the output and, optionally, the
 * reply action and (SOAP) the reply body's element name, namespace or inner XML; or a fault;
 * or `null`/`undefined` for no response at all (a request the service lost).
 */
export type HpcServiceResult =
  | string
  | { output?: string; action?: string; body?: { name?: string; namespace?: string; xml?: string } }
  | { fault: HpcServiceFault }
  | null
  | undefined;

/** The service behind a session: sync or async. A thrown error becomes a SOAP fault response. */
export type HpcService = (request: HpcServiceRequest) => HpcServiceResult | Promise<HpcServiceResult>;

/** HPC Pack options of {@link startEmulator}. */
export interface HpcPackEmulatorOptions {
  /** The cluster name Get Clusters reports and the pre-2016 URIs must use. @defaultValue `'HEAD'` */
  cluster?: string | null | undefined;
  /** The service behind every session. @defaultValue {@link echoService} */
  service?: HpcService | null | undefined;
  /** Services by `ServiceName`; a session for another name gets `service`. */
  services?: Readonly<Record<string, HpcService>> | null | undefined;
  /** Broker header names in SOAP responses. @defaultValue `'HPCPack2008'` (the documentation's) */
  soapFlavour?: 'HPCPack2008' | 'HPCServer2008' | null | undefined;
}

/** A batch as {@link HpcPackEmulator.sessions} shows it. */
export interface HpcBatchInfo {
  name: string;
  status: Extract<BrokerClientStatus, 'Ready' | 'Processing' | 'Finished'>;
  requests: number;
  responses: number;
}

/** A session as {@link HpcPackEmulator.sessions} shows it. */
export interface HpcSessionInfo {
  id: number;
  serviceName: string;
  durable: boolean;
  closed: boolean;
  batches: HpcBatchInfo[];
}

/** The HPC Pack part of a running emulator. */
export interface HpcPackEmulator {
  readonly cluster: string;
  /** Replaces the service behind sessions of `serviceName` (or of every name); `undefined` restores the echo. */
  setService(service: HpcService | undefined, serviceName?: string): void;
  /** A snapshot of the sessions and their batches. */
  sessions(): HpcSessionInfo[];
}
