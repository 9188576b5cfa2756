// The runner's HTTP client, on node:http: raw bytes in and out, one deadline per answer (headers
// and body), transport failures told apart (refused, reset, closed inside the body, too large),
// `Retry-After` honoured on 429/503 within a budget, and a shared request rate.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { retryAfterMsOf } from '../faults/retry.js';
import { Stopped } from './failure.js';
import type { Secrets } from './secrets.js';

/** A request on the wire. */
export interface WireRequest {
  method: string;
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** What came back (or did not). */
export interface WireResult {
  status?: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Uint8Array;
  /**
   * A transport failure: `timeout` (no complete answer in time), `connection` (refused or reset
   * before the headers), `incomplete` (the connection closed inside a framed body), `too-large`.
   */
  error?: { kind: 'timeout' | 'connection' | 'incomplete' | 'too-large'; message: string };
  durationMs: number;
  /** Times the request was re-sent after a 429/503 with `Retry-After`. */
  retries: number;
}

export interface TransportSettings {
  requestTimeoutMs: number;
  retryBudgetMs: number;
  maxResponseBytes: number;
  /** Requests per second over every caller of this transport; Infinity for no limit. */
  rate: number;
  /**
   * Stops everything when it aborts (the caller's signal, or the run's deadline): a wait for
   * `Retry-After` or the rate is cut and a request in flight is aborted, with {@link Stopped}.
   */
  signal?: AbortSignal;
  /** Where the values of secret headers are remembered, as each request is sent. */
  secrets?: Secrets;
  /**
   * The last change to a request before it goes out (where a per-request signer adds its
   * headers); what it returns is what is sent, recorded and remembered by `secrets`.
   */
  prepare?: (request: WireRequest) => WireRequest | Promise<WireRequest>;
  /** The trust of an HTTPS target: a CA (PEM) and whether to check the certificate at all. */
  tls?: { ca?: string | Uint8Array; rejectUnauthorized: boolean };
}

/** What {@link Transport.send} resolves to: the request as sent, and what came back. */
export interface Sent {
  request: WireRequest;
  result: WireResult;
}

const MAX_RETRIES = 10;

/** Sleeps `ms`, or rejects with {@link Stopped} when the signal aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Stopped('stopped'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Stopped('stopped'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function headerRecord(message: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    out[name] = Object.hasOwn(out, name) ? `${out[name]}, ${raw[i + 1]}` : raw[i + 1]!;
  }
  return out;
}

/** An HTTP client for one run: keep-alive sockets, the rate limit, the counters. */
export class Transport {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  private readonly https: HttpsAgent;
  private nextSlot = 0;
  /** Requests written to the wire (each retry counts). */
  requests = 0;

  constructor(readonly settings: TransportSettings) {
    const tls = settings.tls;
    this.https = new HttpsAgent({
      keepAlive: true,
      maxSockets: 32,
      ...(tls?.ca === undefined ? {} : { ca: typeof tls.ca === 'string' ? tls.ca : Buffer.from(tls.ca) }),
      ...(tls === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
    });
  }

  /**
   * Sends a request once, for the `ignored-auth` probe: unsigned when `alter` is undefined, else
   * signed and then altered (`undefined` from `alter`: nothing to alter, nothing sent).
   */
  async sendProbe(
    given: WireRequest,
    alter: ((signed: WireRequest) => WireRequest | undefined) | undefined,
  ): Promise<Sent | undefined> {
    let request = given;
    if (alter !== undefined) {
      const altered = alter(this.settings.prepare ? await this.settings.prepare(given) : given);
      if (altered === undefined) return undefined;
      request = altered;
    }
    this.settings.secrets?.note(request.headers);
    const started = performance.now();
    const result = await this.once(request, this.settings.requestTimeoutMs);
    result.durationMs = Math.round((performance.now() - started) * 100) / 100;
    return { request, result };
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }

  private async slot(): Promise<void> {
    if (!Number.isFinite(this.settings.rate)) return;
    const interval = 1000 / this.settings.rate;
    const now = performance.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + interval;
    if (at > now) await pause(at - now, this.settings.signal);
  }

  /**
   * Sends a request, and re-sends it while the answer is a 429 or 503 with `Retry-After` and the
   * waits fit in the budget. Rejects only with {@link Stopped}.
   */
  async send(given: WireRequest, timeoutMs = this.settings.requestTimeoutMs): Promise<Sent> {
    const started = performance.now();
    let waited = 0;
    let retries = 0;
    for (;;) {
      // Prepared again for each attempt: a signature may cover the time it is sent at.
      const request = this.settings.prepare ? await this.settings.prepare(given) : given;
      this.settings.secrets?.note(request.headers);
      const result = await this.once(request, timeoutMs);
      const status = result.status;
      if (status === 429 || status === 503) {
        const wait = retryAfterMsOf(result.headers);
        if (wait !== undefined && retries < MAX_RETRIES && waited + wait <= this.settings.retryBudgetMs) {
          await pause(wait, this.settings.signal);
          waited += wait;
          retries++;
          continue;
        }
      }
      result.retries = retries;
      result.durationMs = Math.round((performance.now() - started) * 100) / 100;
      return { request, result };
    }
  }

  private async once(request: WireRequest, timeoutMs: number): Promise<WireResult> {
    // A keep-alive socket the server closed while idle fails the next request with a reset
    // before any answer: Node's documented remedy is to send it again once, on a new socket.
    const first = await this.attempt(request, timeoutMs);
    if (first.reusedReset) return (await this.attempt(request, timeoutMs)).result;
    return first.result;
  }

  private async attempt(
    request: WireRequest,
    timeoutMs: number,
  ): Promise<{ result: WireResult; reusedReset: boolean }> {
    await this.slot();
    const signal = this.settings.signal;
    if (signal?.aborted) throw new Stopped('stopped');
    this.requests++;
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const started = performance.now();
    return await new Promise((resolve, reject) => {
      let settled = false;
      let response: IncomingMessage | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (result: Omit<WireResult, 'durationMs' | 'retries'>, reusedReset = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({
          result: { ...result, durationMs: performance.now() - started, retries: 0 },
          reusedReset,
        });
      };
      const headersOf = () => (response ? headerRecord(response) : {});
      const body = () => new Uint8Array(Buffer.concat(chunks, size));
      const onAbort = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(new Stopped('stopped'));
      };
      const timer = setTimeout(() => {
        const during = response ? `reading the body (${size} bytes so far)` : 'waiting for the headers';
        const result: Omit<WireResult, 'durationMs' | 'retries'> = {
          headers: headersOf(),
          body: body(),
          error: { kind: 'timeout', message: `no complete answer within ${timeoutMs} ms (${during})` },
        };
        if (response) result.status = response.statusCode ?? 0;
        done(result);
        req.destroy();
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(request.body.length);
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method: request.method,
        headers,
        agent: secure ? this.https : this.http,
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        if (response) {
          const result: Omit<WireResult, 'durationMs' | 'retries'> = {
            status: response.statusCode ?? 0,
            headers: headersOf(),
            body: body(),
            error: {
              kind: 'incomplete',
              message: `the connection closed inside the body after ${size} bytes (${error.code ?? error.message})`,
            },
          };
          done(result);
          return;
        }
        const reusedReset =
          req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && !response;
        done(
          {
            headers: {},
            body: new Uint8Array(0),
            error: { kind: 'connection', message: `${error.code ?? 'error'}: ${error.message}` },
          },
          reusedReset,
        );
      });
      req.on('response', (res) => {
        response = res;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (size > this.settings.maxResponseBytes) {
            done({
              status: res.statusCode ?? 0,
              headers: headersOf(),
              body: body(),
              error: {
                kind: 'too-large',
                message: `the body is longer than maxResponseBytes (${this.settings.maxResponseBytes})`,
              },
            });
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        // A socket closed mid-body reports 'aborted', 'error' or an incomplete 'end' depending on
        // when: one answer (done() keeps the first).
        const cut = () => {
          done({
            status: res.statusCode ?? 0,
            headers: headersOf(),
            body: body(),
            error: {
              kind: 'incomplete',
              message: `the connection closed inside the body after ${size} bytes`,
            },
          });
        };
        res.on('aborted', cut);
        res.on('error', cut);
        res.on('end', () => {
          if (!res.complete) {
            cut();
            return;
          }
          done({ status: res.statusCode ?? 0, headers: headersOf(), body: body() });
        });
      });
      req.end(request.body === undefined ? undefined : Buffer.from(request.body));
    });
  }
}
