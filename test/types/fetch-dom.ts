// Compiled with `--lib es2022,dom` and no Node types (test/types/tsconfig.json): what a browser or
// fetch-first app sees. Every byte output must be a BodyInit, every descriptor a RequestInit.
import { faultBody, fc, genericResponsesBody, mutate } from 'batchwire/arbitraries';
import { BatchwireServiceError, parseFault } from 'batchwire/faults';
import { encodeGenericRequests, encodeGenericResponses } from 'batchwire/generic';
import { azureBatch, dli, hpcPack } from 'batchwire/requests';
import { writeMessageArray } from 'batchwire/soap';
import { paginate, parseJobListPage } from 'batchwire/status';

export async function bodies(baseUrl: string): Promise<void> {
  const generic = encodeGenericRequests([{ input: 'x' }]);
  const send = hpcPack.sendRequests({
    baseUrl,
    sessionId: 1,
    batchName: 'b',
    body: generic,
    genericService: true,
  });
  await fetch(send.url, send);
  await fetch(new Request(send.url, send));
  const responses: Uint8Array<ArrayBuffer> = encodeGenericResponses([{ action: 'a', output: 'b' }]);
  new Response(responses);
  new Response(encodeGenericRequests([{ input: 'x' }], { encoding: 'utf-16le' }));
  new Blob([responses, writeMessageArray([{ kind: 'end', reason: 'Success' }])]);
  const session = hpcPack.createSession({ baseUrl, body: new Uint8Array(4) });
  await fetch(session.url, session);
  const list = azureBatch.listJobs({ baseUrl, apiVersion: '2025-06-01' });
  const response = await fetch(list.url, list);
  if (!response.ok) throw new BatchwireServiceError(await parseFault(response));
  const state = dli.getBatchState({ baseUrl, projectId: 'p', batchId: 'b' });
  await fetch(state.url, state);
  for await (const job of paginate((link) => fetch(link ?? list.url, list), {
    parse: parseJobListPage,
    url: list.url,
  }))
    job.id?.toUpperCase();
  for (const sample of fc.sample(genericResponsesBody(), 1)) new Response(sample.bytes);
  for (const sample of fc.sample(
    mutate(
      'json',
      faultBody().map((f) => new TextEncoder().encode(f.body)),
    ),
    1,
  ))
    new Response(sample.bytes);
}

// One vocabulary: limit options carry DEFAULT_LIMITS' key names, so the defaults spread in.
export async function limits(): Promise<void> {
  const { DEFAULT_LIMITS } = await import('batchwire');
  const { parseFilter, validateFilter } = await import('batchwire/odata');
  const { decodeGenericResponses } = await import('batchwire/generic');
  const { readMessageArray } = await import('batchwire/soap');
  const { parseDliBatchState } = await import('batchwire/status');
  parseFault({ body: '' }, { ...DEFAULT_LIMITS });
  parseJobListPage('{"value":[]}', { ...DEFAULT_LIMITS });
  parseDliBatchState('{"state":"running"}', { ...DEFAULT_LIMITS });
  paginate(() => '{"value":[]}', { ...DEFAULT_LIMITS, parse: parseJobListPage });
  decodeGenericResponses('', { ...DEFAULT_LIMITS });
  readMessageArray('', { ...DEFAULT_LIMITS });
  parseFilter("id eq 'x'", { ...DEFAULT_LIMITS });
  validateFilter("id eq 'x'", undefined, { ...DEFAULT_LIMITS });
}
