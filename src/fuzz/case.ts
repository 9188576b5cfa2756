// A finding's case: the requests of the (shrunk) sequence, their bodies as files, the answer that
// failed, and the operations with their parameters, so `replayCase` can run the sequence again.
import { plainBytes } from '../core/bytes.js';
import { type FuzzFailure, signatureOf } from './failure.js';
import { encodeParams, mediaType, type RunEnv, type Sequence } from './sequence.js';
import type { FuzzCase, FuzzCaseRequest, FuzzCaseResponse } from './types.js';

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
  const files: Record<string, Uint8Array<ArrayBuffer>> = {};
  const requests: FuzzCaseRequest[] = sequence.exchanges.map(({ operation, request }, i) => {
    const out: FuzzCaseRequest = {
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      operation,
    };
    if (request.body !== undefined) {
      const name = `request-${i + 1}.${extensionOf(request.headers['content-type'])}`;
      files[name] = plainBytes(request.body);
      out.body = name;
    }
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
    message: failure.message,
    requests,
    commands: sequence.ran.map((r) => ({ name: r.name, params: encodeParams(r.params) })),
    files,
  };
  if (env.service === 'hpc-pack') c.serviceName = env.serviceName;
  if (failure.status !== undefined) c.status = failure.status;
  if (failure.code !== undefined) c.code = failure.code;
  const index = failure.exchange;
  const seen = index === undefined ? undefined : sequence.exchanges[index];
  if (index !== undefined && seen !== undefined) {
    const response: FuzzCaseResponse = { request: index };
    const { result } = seen;
    if (result.status !== undefined) {
      response.status = result.status;
      response.headers = { ...result.headers };
    }
    if (result.body.length > 0) {
      const name = `response.${extensionOf(result.headers['content-type'])}`;
      files[name] = plainBytes(result.body);
      response.body = name;
    }
    if (result.error !== undefined) response.error = `${result.error.kind}: ${result.error.message}`;
    c.response = response;
  }
  return c;
}
