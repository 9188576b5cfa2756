// A finding's case: the requests of the (shrunk) sequence, their bodies as files, the answer that
// failed (its body cut to the case's bound, and marked when cut), the operations with their
// parameters and the run's service parameters, so `replayCase` can run the sequence again with
// nothing guessed. Every secret is replaced here, before the case exists anywhere else.
import { plainBytes } from '../core/bytes.js';
import { type FuzzFailure, signatureOf } from './failure.js';
import { encodeParams, mediaType, type RunEnv, type Sequence } from './sequence.js';
import type { FuzzCase, FuzzCaseRequest, FuzzCaseResponse } from './types.js';

/** File names every case folder holds besides its bodies. */
export const CASE_FILES: readonly string[] = ['case.json', 'response.json', 'reproduce.sh'];

/** A file extension for a body of this Content-Type. */
export function extensionOf(contentType: string | undefined): string {
  const type = mediaType(contentType);
  if (type.includes('json')) return 'json';
  if (type.includes('xml')) return 'xml';
  if (type.startsWith('text/')) return 'txt';
  return 'bin';
}

export function caseOf(
  env: RunEnv,
  seed: number,
  path: string,
  sequence: Sequence<unknown>,
  failure: FuzzFailure,
): FuzzCase {
  const { secrets } = env;
  const files: Record<string, Uint8Array<ArrayBuffer>> = {};
  const taken = new Set(CASE_FILES);
  // Every body gets a name no other file of the folder uses.
  const file = (stem: string, contentType: string | undefined, bytes: Uint8Array): string => {
    let name = `${stem}.${extensionOf(contentType)}`;
    for (let n = 2; taken.has(name); n++) name = `${stem}-${n}.${extensionOf(contentType)}`;
    taken.add(name);
    files[name] = secrets.scrubBytes(bytes);
    return name;
  };
  const secretHeaders: Record<string, string> = {};
  const requests: FuzzCaseRequest[] = sequence.exchanges.map(({ operation, request }, i) => {
    Object.assign(secretHeaders, secrets.secretNames(request.headers));
    const out: FuzzCaseRequest = {
      method: request.method,
      url: secrets.scrub(request.url),
      headers: secrets.redactHeaders(request.headers),
      operation,
    };
    if (request.body !== undefined)
      out.body = file(`request-${i + 1}`, request.headers['content-type'], plainBytes(request.body));
    return out;
  });
  const c: FuzzCase = {
    seed,
    path,
    service: env.service,
    target: env.target,
    signature: signatureOf(failure),
    check: failure.check,
    operation: failure.operation,
    message: secrets.scrub(failure.message),
    requests,
    commands: sequence.ran.map((r) => ({ name: r.name, params: encodeParams(r.params) })),
    files,
    projectId: env.projectId,
  };
  if (env.service === 'hpc-pack') c.serviceName = env.serviceName;
  if (env.apiVersion !== undefined) c.apiVersion = env.apiVersion;
  if (Object.keys(secretHeaders).length > 0) c.secretHeaders = secretHeaders;
  if (failure.status !== undefined) c.status = failure.status;
  if (failure.code !== undefined) c.code = failure.code;
  const index = failure.exchange;
  const seen = index === undefined ? undefined : sequence.exchanges[index];
  if (index !== undefined && seen !== undefined) {
    const response: FuzzCaseResponse = { request: index };
    const { result } = seen;
    if (result.status !== undefined) {
      response.status = result.status;
      response.headers = secrets.redactHeaders(result.headers);
    }
    if (result.body.length > 0) {
      response.body = file('response-body', result.headers['content-type'], result.body);
      if (result.bodyBytes > result.body.length) {
        response.bodyBytes = result.bodyBytes;
        response.bodyTruncated = true;
      }
    }
    if (result.error !== undefined)
      response.error = secrets.scrub(`${result.error.kind}: ${result.error.message}`);
    c.response = response;
  }
  return c;
}
