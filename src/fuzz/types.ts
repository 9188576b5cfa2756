// The public shapes of the backend fuzz runner: options, the report, findings and cases. Cases
// and reports are plain JSON (bodies aside), so other tools can read what `runFuzz` found;
// `report.json` is a contract ({@link FuzzReportFile}).
import type { ServiceId } from '../core/services.js';

/** The service a backend speaks: `hpc-pack`, `azure-batch` or `dli`. */
export type FuzzService = ServiceId;

/**
 * The checks the runner applies to every answer, by their stable names (a finding names the one
 * that fired; see the README section "Fuzzing a backend"):
 * - `server-error`: a 5xx answer (after any `Retry-After` wait within the budget);
 * - `status-code`: a status the operation does not document for that request: a valid request
 *   refused, a broken one accepted, or the wrong code for an unknown id or api-version;
 * - `fault-shape`: an error body that `parseFault` does not read as the service's own shape;
 * - `undecodable-response`: a success body batchwire's decoder refuses (`TRUNCATED`,
 *   `MALFORMED_*`, `XML_SYNTAX`, `INVALID_ENCODING`, ...);
 * - `lost-response`: a request of a committed HPC Pack batch that does not come back exactly once
 *   with its user data;
 * - `count-mismatch`: a closing record whose count is not the number of responses handed out for
 *   its (action, clientdata) pair since the last reset;
 * - `filter-semantics`: an Azure Batch item returned that does not satisfy the filter (values
 *   compared without case), or one left out that does; a DLI list filter not applied;
 * - `paging`: Azure Batch pages that overlap or skip items, an `odata.nextLink` that loops or
 *   leaves the target;
 * - `state-transition`: a DLI job state moving against the documented graph, an HPC Pack batch
 *   status moving backwards, or an Azure Batch job the runner terminated or deleted shown active
 *   again (a deleted job that comes back, a terminated one that takes tasks: `status-code`);
 * - `timeout`: no complete answer within `requestTimeoutMs`;
 * - `connection`: the connection refused, reset or closed before a complete answer;
 * - `ignored-auth`: with auth configured (`sign`, or a credential header), a read-only request
 *   sent without its credentials or with its signature altered was answered 2xx (not 401/403).
 */
export const FUZZ_CHECKS = Object.freeze([
  'server-error',
  'status-code',
  'fault-shape',
  'undecodable-response',
  'lost-response',
  'count-mismatch',
  'filter-semantics',
  'paging',
  'state-transition',
  'timeout',
  'connection',
  'ignored-auth',
] as const);

/** One of {@link FUZZ_CHECKS}. */
export type FuzzCheck = (typeof FUZZ_CHECKS)[number];

/** The checks that apply to each service (JUnit lists these, and only these, for a run). */
export const FUZZ_SERVICE_CHECKS: Readonly<Record<FuzzService, readonly FuzzCheck[]>> = Object.freeze({
  'hpc-pack': Object.freeze([
    'server-error',
    'status-code',
    'fault-shape',
    'undecodable-response',
    'lost-response',
    'count-mismatch',
    'state-transition',
    'timeout',
    'connection',
    'ignored-auth',
  ] as const),
  'azure-batch': Object.freeze([
    'server-error',
    'status-code',
    'fault-shape',
    'undecodable-response',
    'filter-semantics',
    'paging',
    'state-transition',
    'timeout',
    'connection',
    'ignored-auth',
  ] as const),
  dli: Object.freeze([
    'server-error',
    'status-code',
    'fault-shape',
    'undecodable-response',
    'filter-semantics',
    'paging',
    'state-transition',
    'timeout',
    'connection',
    'ignored-auth',
  ] as const),
});

/** A part of a seed's sequences: the `index`-th of `count` (1-based, as `--shard K/N`). */
export interface FuzzShard {
  index: number;
  count: number;
}

/** A finding as it is first met, before shrinking ({@link FuzzOptions.onFinding}). */
export interface FuzzDiscovery {
  signature: string;
  check: FuzzCheck;
  operation: string;
  status?: number;
  code?: string;
  message: string;
  foundAfter: { runs: number; requests: number; ms: number };
}

/** One exchange, as {@link FuzzOptions.onRequest} sees it. */
export interface FuzzExchange {
  /** `explore` for generated sequences, `shrink` while a finding is being reduced, `cleanup` for closing what a sequence opened. */
  phase: 'explore' | 'shrink' | 'cleanup' | 'replay';
  /** The operation name of `batchwire/requests` (`getResponses`, `listJobs`, ...). */
  operation: string;
  method: string;
  url: string;
  /** The HTTP status, when an answer came. */
  status?: number;
  /** `timeout`, `connection`, `incomplete` (the connection closed inside the body) or `too-large`. */
  error?: string;
  durationMs: number;
  /** How many times the request was re-sent after a 429/503 with `Retry-After`. */
  retries: number;
}

/** A request as the runner sends it, and as a `sign` hook gets and returns it. */
export interface FuzzWireRequest {
  method: string;
  /** The absolute URL. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: Uint8Array;
}

/**
 * A per-request hook run last before each request goes out (each retry too, and in replay):
 * `batchwire/auth`'s `signSharedKey`, `signAkSk` and `basicAuth` fit as they are, e.g.
 * `(request) => signSharedKey(request, { account, key })`. What it resolves to is sent; every
 * header it adds or changes is secret (never written to an artifact).
 */
export type FuzzRequestSigner = (
  request: FuzzWireRequest,
) =>
  | { method?: string; url?: string; headers: Record<string, string>; body?: string | Uint8Array }
  | Promise<{ method?: string; url?: string; headers: Record<string, string>; body?: string | Uint8Array }>;

/** Options of {@link runFuzz}. `null` means the default, for each. */
export interface FuzzOptions {
  /** The backend's base URL (`http://127.0.0.1:8080`); only loopback hosts unless `allowRemote`. */
  target: string;
  service: FuzzService;
  /** The seed of every random choice. @defaultValue a random one, given back in the report */
  seed?: number;
  /** How many sequences to generate (shrinking runs not counted). @defaultValue 100 when `timeLimitMs` is not given, else unbounded */
  runs?: number;
  /**
   * The run's deadline, in ms from its start: exploring and shrinking stop, waits are cut and the
   * requests in flight are aborted (a finding being shrunk then is kept as far as it got).
   */
  timeLimitMs?: number;
  /** Independent sequences in flight at once (each from its own seed derived from `seed`). @defaultValue 1 */
  concurrency?: number;
  /** Most requests per second, over all sequences. @defaultValue unlimited */
  rate?: number;
  /**
   * Headers added to every request (authorization, `x-auth-token`, ...). The values of secret
   * ones (see `secretHeaders`) never reach a finding: they are replaced by placeholders.
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * More header names whose values are secret, besides `Authorization`, `Proxy-Authorization`,
   * `Cookie`, `X-Auth-Token`, `Ocp-*` keys and names holding `token`, `secret`, `password`,
   * `api-key` or `signature`.
   */
  secretHeaders?: readonly string[];
  /** Called after every exchange (progress, logging). */
  onRequest?: (exchange: FuzzExchange) => void;
  /** Called when a finding is first met (before it is shrunk), and for each stray kept. */
  onFinding?: (found: FuzzDiscovery) => void;
  /**
   * Run only this part of the seed's sequences: chunk `i` of the seed (25 sequences each) belongs
   * to shard `i mod count + 1`. N machines running shards 1/N..N/N with one seed cover what one
   * machine would (a CI matrix, a Kubernetes Indexed Job); `batchwire fuzz merge` joins the reports.
   */
  shard?: FuzzShard;
  /**
   * Most findings kept (shrunk ones and strays met while shrinking); failures met past it are
   * counted in `findingsOmitted` and not kept. @defaultValue 100
   */
  maxFindings?: number;
  /** Most bytes of each body a finding keeps (the rest is cut, and the case says so). @defaultValue 64 KiB */
  maxCaseBodyBytes?: number;
  /** Stops the run: the promise resolves with what was found so far. */
  signal?: AbortSignal;
  /** Allow a target that is not a loopback address. @defaultValue false */
  allowRemote?: boolean;
  /**
   * Longest wait for one complete answer (headers and body); past it the check `timeout` fires.
   * @defaultValue 10 000, or a tenth of `timeLimitMs` when that is shorter (at least 1000)
   */
  requestTimeoutMs?: number;
  /** Longest total wait one request may spend honouring `Retry-After` on 429/503 before the answer counts. @defaultValue 30 000 */
  retryBudgetMs?: number;
  /** Time allowed to shrink each finding. @defaultValue 30 000, or half of `timeLimitMs` when that is shorter (at least 5000) */
  shrinkTimeLimitMs?: number;
  /** Most sequences re-run to shrink each finding. @defaultValue 500 */
  maxShrinkRuns?: number;
  /** Longest sequence of operations generated. @defaultValue 16 */
  maxCommands?: number;
  /** Largest answer body read; a larger one is `undecodable-response` `LIMIT_EXCEEDED`. @defaultValue 16 MiB */
  maxResponseBytes?: number;
  /** DLI: the project id in `/v2.0/{project_id}/batches`. @defaultValue `'batchwire-fuzz'` */
  projectId?: string;
  /** HPC Pack: the `ServiceName` of the sessions created. @defaultValue `'Echo'` */
  serviceName?: string;
  /** The api-version sent: HPC Pack default `2012-11-01.4.0`, Azure Batch default `2024-07-01.20.0`. */
  apiVersion?: string;
  /** Signs every request before it goes out (see {@link FuzzRequestSigner}); turns on the `ignored-auth` check. */
  sign?: FuzzRequestSigner;
  /** A CA certificate (PEM) to trust for an HTTPS target (a head node's self-signed certificate). */
  ca?: string | Uint8Array;
  /** Skip the check of an HTTPS target's certificate (said in the report as `insecure: true`). @defaultValue false */
  insecure?: boolean;
  /** Send the `ignored-auth` probes. @defaultValue true when `sign` is given or `headers` hold a credential */
  checkAuth?: boolean;
}

/** A request of a case, as `case.json` holds it. */
export interface FuzzCaseRequest {
  method: string;
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The name of the body's file beside `case.json` (a key of {@link FuzzCase.files}). */
  body?: string;
  /** The operation (`batchwire/requests` name). */
  operation: string;
}

/** The answer that made a case fail. */
export interface FuzzCaseResponse {
  /** Index in `requests` of the request it answered. */
  request: number;
  status?: number;
  headers?: Record<string, string>;
  /** The name of the body's file beside `case.json`. */
  body?: string;
  /** The body's whole length, when the case keeps only its first `maxCaseBodyBytes`. */
  bodyBytes?: number;
  /** True when the body file holds only the start of the body. */
  bodyTruncated?: boolean;
  /** What went wrong at the transport level (`timeout`, `connection`, ...), with the detail. */
  error?: string;
}

/** One operation of a generated sequence, as data (replay rebuilds the sequence from these). */
export interface FuzzCommandRecord {
  name: string;
  params: unknown;
}

/**
 * A finding's minimal case: what was sent, in order, and the answer that failed. `case.json` is
 * this object without `files`; each file is written beside it.
 */
export interface FuzzCase {
  /** The run's seed. */
  seed: number;
  /** Where the case came from in the run: `lane:chunk:fast-check path`. */
  path: string;
  service: FuzzService;
  /** The target the requests were sent to (replay rebases URLs from it onto its own target). */
  target: string;
  /** HPC Pack: the `ServiceName` the run's sessions were created with (replay creates the same). */
  serviceName?: string;
  /** The api-version the run sent (replay sends the same). */
  apiVersion?: string;
  /** DLI: the project id of the run (replay uses the same). */
  projectId?: string;
  /**
   * The secret headers of the requests, each with the environment variable `reproduce.sh` reads
   * its value from; in `requests`, their values are placeholders.
   */
  secretHeaders?: Record<string, string>;
  signature: string;
  check: FuzzCheck;
  operation: string;
  status?: number;
  code?: string;
  /** What was wrong, in a sentence. */
  message: string;
  requests: FuzzCaseRequest[];
  response?: FuzzCaseResponse;
  /** The operations of the sequence, with their generated parameters. */
  commands: FuzzCommandRecord[];
  /** Bodies by file name (request bodies and the response seen). */
  files: Record<string, Uint8Array<ArrayBuffer>>;
}

/** One finding: one bug, grouped by its signature. */
export interface FuzzFinding {
  /** `operation.check[.status][.code]`, usable as a directory name. */
  signature: string;
  check: FuzzCheck;
  operation: string;
  status?: number;
  code?: string;
  message: string;
  /** False when shrinking was cut short (time or run budget, or the run was stopped). */
  shrunk: boolean;
  /** Sequences re-run while shrinking. */
  shrinkRuns: number;
  /** How far the run had gone when the bug was first met: sequences generated, requests sent, milliseconds. */
  foundAfter: { runs: number; requests: number; ms: number };
  case: FuzzCase;
}

/** What {@link runFuzz} resolves to. */
export interface FuzzReport {
  seed: number;
  service: FuzzService;
  target: string;
  /** The part of the seed's sequences this run covered, when it was one shard. */
  shard?: FuzzShard;
  /** Requests sent, over every phase (retries after `Retry-After` included). */
  requests: number;
  /** Sequences generated (shrinking runs not counted). */
  runs: number;
  durationMs: number;
  /** Why generation stopped. */
  stoppedBy: 'runs' | 'time' | 'signal';
  findings: FuzzFinding[];
  /** Failures with a new signature met after `maxFindings` were kept (at least this many). */
  findingsOmitted: number;
  /** Present when the target's TLS certificate was not checked (`insecure`). */
  insecure?: true;
}

/** One finding in `report.json`. */
export interface FuzzReportFinding {
  signature: string;
  check: FuzzCheck;
  operation: string;
  status?: number;
  code?: string;
  message: string;
  shrunk: boolean;
  shrinkRuns: number;
  /** Requests in the minimal case. */
  requests: number;
  /** How far the run had gone when the bug was first met. */
  foundAfter: { runs: number; requests: number; ms: number };
  /** The finding's `case.json`, relative to the folder of `report.json` (`getResponses.lost-response.200/case.json`). */
  case: string;
}

/**
 * `report.json`, the contract other tools read: written by {@link writeFuzzReport} and by
 * `batchwire fuzz merge`. Fields are only ever added (`version` says which set).
 */
export interface FuzzReportFile {
  format: 'batchwire-fuzz-report';
  version: 1;
  seed: number;
  service: FuzzService;
  target: string;
  shard?: FuzzShard;
  requests: number;
  runs: number;
  durationMs: number;
  stoppedBy: 'runs' | 'time' | 'signal';
  /** The checks that apply to the service (the JUnit test cases). */
  checks: FuzzCheck[];
  findings: FuzzReportFinding[];
  findingsOmitted: number;
  /** Present when the target's TLS certificate was not checked (`--insecure`). */
  insecure?: true;
  /** For a merged report: the reports it was made from. */
  merged?: { report: string; seed: number; shard?: FuzzShard; requests: number; runs: number }[];
}

/** Options of {@link replayCase}. */
export interface ReplayOptions {
  /** The backend to send the case to (the case's own URLs are rebased onto it). */
  target: string;
  allowRemote?: boolean;
  /**
   * Headers added to every request. The case's secret headers (`secretHeaders`) were not written
   * down: each must be given here again, or the replay is refused.
   */
  headers?: Readonly<Record<string, string>>;
  /** More secret header names, as in {@link FuzzOptions.secretHeaders}. */
  secretHeaders?: readonly string[];
  requestTimeoutMs?: number;
  retryBudgetMs?: number;
  maxResponseBytes?: number;
  onRequest?: (exchange: FuzzExchange) => void;
  signal?: AbortSignal;
  /**
   * Signs every request, as in {@link FuzzOptions.sign} (the `ignored-auth` probes run again);
   * the case's secret headers need not be given then: the signer writes its own.
   */
  sign?: FuzzRequestSigner;
  /** A CA certificate (PEM) to trust for an HTTPS target. */
  ca?: string | Uint8Array;
  /** Skip the check of an HTTPS target's certificate. @defaultValue false */
  insecure?: boolean;
  /** Send the `ignored-auth` probes. @defaultValue true when `sign` is given */
  checkAuth?: boolean;
}

/** What {@link replayCase} resolves to. */
export interface ReplayResult {
  /** True when the replay failed the same way (same signature) as the case. */
  stillFails: boolean;
  /** The failure the replay met, if any (it may differ from the case's). */
  failure?: {
    signature: string;
    check: FuzzCheck;
    operation: string;
    status?: number;
    code?: string;
    message: string;
  };
  /** Requests sent. */
  requests: number;
}
