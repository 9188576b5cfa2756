// The public shapes of the backend fuzz runner: options, the report, findings and cases. Cases
// and reports are plain JSON (bodies aside), so other tools can read what `runFuzz` found.

/** The service a backend speaks. */
export type FuzzService = 'hpc-pack' | 'azure-batch' | 'dli';

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
 * - `state-transition`: a DLI job state moving against the documented graph, or an HPC Pack batch
 *   status moving backwards;
 * - `timeout`: no complete answer within `requestTimeoutMs`;
 * - `connection`: the connection refused, reset or closed before a complete answer.
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
] as const);

/** One of {@link FUZZ_CHECKS}. */
export type FuzzCheck = (typeof FUZZ_CHECKS)[number];

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

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** The backend's base URL (`http://127.0.0.1:8080`); only loopback hosts unless `allowRemote`. */
  target: string;
  service: FuzzService;
  /** The seed of every random choice. @defaultValue a random one, given back in the report */
  seed?: number;
  /** How many sequences to generate (shrinking runs not counted). @defaultValue 100 when `timeLimitMs` is not given, else unbounded */
  runs?: number;
  /** Stop generating sequences after this long; shrinking a finding found by then may take `shrinkTimeLimitMs` more. */
  timeLimitMs?: number;
  /** Independent sequences in flight at once (each from its own seed derived from `seed`). @defaultValue 1 */
  concurrency?: number;
  /** Most requests per second, over all sequences. @defaultValue unlimited */
  rate?: number;
  /** Headers added to every request (authorization, `x-auth-token`, ...). */
  headers?: Readonly<Record<string, string>>;
  /** Called after every exchange (progress, logging). */
  onRequest?: (exchange: FuzzExchange) => void;
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
  /** Requests sent, over every phase (retries after `Retry-After` included). */
  requests: number;
  /** Sequences generated (shrinking runs not counted). */
  runs: number;
  durationMs: number;
  /** Why generation stopped. */
  stoppedBy: 'runs' | 'time' | 'signal';
  findings: FuzzFinding[];
}

/** Options of {@link replayCase}. */
export interface ReplayOptions {
  /** The backend to send the case to (the case's own URLs are rebased onto it). */
  target: string;
  allowRemote?: boolean;
  headers?: Readonly<Record<string, string>>;
  requestTimeoutMs?: number;
  retryBudgetMs?: number;
  maxResponseBytes?: number;
  onRequest?: (exchange: FuzzExchange) => void;
  signal?: AbortSignal;
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
