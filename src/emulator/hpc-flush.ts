// Send Requests: a body decoded into a batch's request log (generic bodies in each encoding, SOAP
// message arrays; all or nothing), and the pump that runs the service behind the session over
// the pending requests and stores each answer in the batch's response log.
import { charsetOf, detectEncoding, type TextEncodingName } from '../core/charset.js';
import { END_OF_GET_RESPONSE_ACTION } from '../core/end-of-responses.js';
import { decodeGenericRequests } from '../generic/index.js';
import { readMessageArray } from '../soap/index.js';
import {
  type Batch,
  codeOf,
  isThenable,
  notify,
  PENDING,
  type ResponseExtra,
  SEP,
  type Session,
  yieldToLoop,
} from './hpc-state.js';
import type { HpcService, HpcServiceFault, HpcServiceRequest, HpcServiceResult } from './hpc-types.js';
import type { ParsedRequest } from './plan.js';
import { RecordLog } from './record-log.js';
import { BodyRefused, limitedBody } from './request.js';
import { hasLoneSurrogate } from './wire.js';

/** The generic service's request action. */
export const GENERIC_REQUEST_ACTION =
  'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperation';
/** The generic service's reply action. */
export const GENERIC_REPLY_ACTION =
  'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';

/**
 * Decodes a Send Requests body into the batch's request log and returns how many requests it
 * held. Throws what the decoders throw ({@link BodyTooLarge} past `limit`), or {@link BodyRefused}
 * for a SOAP array holding a fault or a closing envelope; the caller rolls the log back.
 */
export async function readRequests(
  request: ParsedRequest,
  session: Session,
  batch: Batch,
  format: 'generic' | 'soap',
  limit: number,
): Promise<number> {
  let added = 0;
  const contentType = request.headers['content-type'];
  if (format === 'generic') {
    let encoding: TextEncodingName | undefined;
    const head: Uint8Array[] = [];
    let headLength = 0;
    const source = limitedBody(request, limit);
    // The responses are written in the encoding of the batch's first body: sniff it on the way.
    const sniffing = async function* (): AsyncIterable<Uint8Array> {
      for await (const chunk of source) {
        if (encoding === undefined) {
          head.push(chunk);
          headLength += chunk.length;
          if (headLength < 3) continue;
          encoding = detectEncoding(Buffer.concat(head), charsetOf(contentType)).encoding;
          yield* head;
          continue;
        }
        yield chunk;
      }
      if (encoding === undefined && headLength > 0) {
        encoding = detectEncoding(Buffer.concat(head), charsetOf(contentType)).encoding;
        yield* head;
      }
    };
    for await (const record of decodeGenericRequests(sniffing(), {
      contentType,
      maxRecordBytes: session.maxMessageSize,
    })) {
      batch.requests.append([GENERIC_REQUEST_ACTION, record.input, record.userData, '', '', ''].join(SEP));
      added++;
    }
    if (batch.responses === undefined && encoding !== undefined) batch.responses = new RecordLog(encoding);
    return added;
  }
  for await (const record of readMessageArray(limitedBody(request, limit), {
    requireEnd: false,
    contentType,
  })) {
    if (record.kind !== 'response') {
      throw new BodyRefused(
        record.kind === 'end' ? 'a request array has no closing envelope' : 'a request array holds no faults',
      );
    }
    batch.requests.append(
      [
        record.action,
        record.body.xml,
        record.userData ?? '',
        record.messageId ?? '',
        record.body.name,
        record.body.namespace,
      ].join(SEP),
    );
    added++;
  }
  if (batch.responses === undefined) batch.responses = new RecordLog('utf-8');
  return added;
}

/** Runs the service over the batch's pending requests, in order, one at a time. */
export async function pumpBatch(
  session: Session,
  batch: Batch,
  serviceFor: (serviceName: string) => HpcService,
): Promise<void> {
  if (batch.processing) return;
  batch.processing = true;
  try {
    let sinceYield = 0;
    while (!batch.purged && batch.processed < batch.requestCount) {
      const fields = batch.requests.text(batch.processed - batch.requestBase).split(SEP);
      const [action = '', input = '', userData = '', messageId = '', bodyName = '', bodyNamespace = ''] =
        fields;
      const req: HpcServiceRequest = {
        sessionId: session.id,
        serviceName: session.serviceName,
        batchName: batch.name,
        index: batch.processed,
        generic: batch.format !== 'soap',
        action,
        input,
        userData,
      };
      if (batch.format === 'soap') {
        if (messageId !== '') req.messageId = messageId;
        req.body = { name: bodyName, namespace: bodyNamespace };
      }
      const service = serviceFor(session.serviceName);
      let result: HpcServiceResult;
      try {
        const answer = service(req);
        result = isThenable(answer) ? await answer : answer;
      } catch (error) {
        result = { fault: { reason: error instanceof Error ? error.message : String(error) } };
      }
      if (batch.purged) return;
      storeResponse(batch, req, result);
      batch.processed++;
      if (++sinceYield >= 512) {
        sinceYield = 0;
        notify(batch);
        await yieldToLoop();
      }
    }
    if (
      !batch.purged &&
      batch.processed === batch.requestCount &&
      batch.requests.length === batch.processed - batch.requestBase
    ) {
      batch.requests.clear();
      batch.requestBase = batch.requestCount;
    }
  } finally {
    batch.processing = false;
    notify(batch);
  }
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one arm per service result shape (output, { output, action }, { fault }, null) for generic and SOAP batches
export function storeResponse(batch: Batch, request: HpcServiceRequest, result: HpcServiceResult): void {
  if (result === null || result === undefined) return;
  batch.responses ??= new RecordLog('utf-8');
  const log = batch.responses;
  let action: string;
  let output: string;
  let extra: ResponseExtra | undefined;
  const soap = !request.generic;
  const replyName = soap ? `${request.body?.name ?? 'Operation'}Response` : 'GenericOperationResponse';
  if (typeof result === 'string') {
    action = soap ? `${request.action}Response` : GENERIC_REPLY_ACTION;
    output = result;
  } else if (typeof result === 'object' && 'fault' in result && result.fault) {
    const f = result.fault;
    action = f.action ?? 'http://hpc.microsoft.com/session/SessionFault';
    output = String(f.reason ?? '');
    extra = {
      fault: {
        code: codeOf(f.code) ?? 's:Receiver',
        subcodes: Array.isArray(f.subcodes) ? f.subcodes.map((c) => codeOf(c) ?? String(c)) : [],
      },
    };
    if (f.detail !== undefined) extra.fault!.detail = String(f.detail);
  } else if (typeof result === 'object') {
    const r = result as Exclude<HpcServiceResult, string | null | undefined | { fault: HpcServiceFault }>;
    action = r.action ?? (soap ? `${request.action}Response` : GENERIC_REPLY_ACTION);
    output = r.output ?? '';
    if (r.body) {
      extra = {};
      if (r.body.name !== undefined) extra.bodyName = r.body.name;
      if (r.body.namespace !== undefined) extra.bodyNamespace = r.body.namespace;
      if (r.body.xml !== undefined) extra.bodyXml = r.body.xml;
    }
  } else {
    action = soap ? `${request.action}Response` : GENERIC_REPLY_ACTION;
    output = String(result);
  }
  if (soap) {
    extra ??= {};
    if (request.messageId !== undefined) extra.relatesTo = request.messageId;
    extra.bodyName ??= replyName;
    extra.bodyNamespace ??= request.body?.namespace ?? '';
  }
  let text = `${action}${SEP}${output}${SEP}${request.userData}\u0000`;
  // A response that cannot be written in the batch's format comes back as a fault saying why.
  const problem =
    typeof action !== 'string' || typeof output !== 'string'
      ? 'the service answered something that is not text'
      : /[\uFFFF\u0000]/.test(action + output) || action === END_OF_GET_RESPONSE_ACTION
        ? 'the service output contains U+FFFF or U+0000, or the closing action'
        : log.encoding === 'utf-8' && hasLoneSurrogate(action + output)
          ? 'the service output has an unpaired surrogate, which UTF-8 cannot carry'
          : undefined;
  if (problem !== undefined) {
    text = `http://hpc.microsoft.com/session/SessionFault${SEP}${problem}${SEP}${request.userData}\u0000`;
    extra = { fault: { code: 's:Receiver', subcodes: [] } };
    if (request.messageId !== undefined) extra.relatesTo = request.messageId;
  }
  const index = log.length;
  log.append(text);
  batch.states.set(index, PENDING);
  let actionId = batch.actionIndex.get(request.action);
  if (actionId === undefined) {
    actionId = batch.actions.length;
    batch.actions.push(request.action);
    batch.actionIndex.set(request.action, actionId);
  }
  batch.actionIds.set(index, actionId);
  if (extra === undefined) batch.extraIds.set(index, -1);
  else {
    batch.extraIds.set(index, batch.extras.length);
    batch.extras.append(JSON.stringify(extra));
  }
}
