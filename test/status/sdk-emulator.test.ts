// Issue 25 end to end against `batchwire serve`'s engine (startEmulator): a DLI batch created and
// awaited on the emulator's manual clock through a busy gateway, and an Azure Batch listing paged
// by page with maxPageSize, retried past a ServerBusy page and resumed from a saved nextLink.
import { type Emulator, startEmulator } from 'batchwire/emulator';
import { isBatchwireServiceError, withRetries } from 'batchwire/faults';
import { azureBatch, dli, type RequestDescriptor } from 'batchwire/requests';
import {
  isDliBatchTerminal,
  type PageRequest,
  paginatePages,
  parseDliBatchState,
  parseJobListPage,
  pollUntil,
} from 'batchwire/status';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let emulator: Emulator;
const API = '2025-06-01';
beforeAll(async () => {
  emulator = await startEmulator({
    seed: 25,
    clock: 'manual',
    startTime: Date.UTC(2025, 5, 1),
    dli: { startingMs: 60_000, runningMs: 300_000 },
  });
  for (let i = 0; i < 23; i++)
    emulator.azureBatch.addJob({ id: `sdk-${String(i).padStart(2, '0')}`, state: 'active' });
});
afterAll(() => emulator.close());

function send(request: RequestDescriptor | PageRequest, signal?: AbortSignal): Promise<Response> {
  const { method, url, headers } = request;
  const body = 'body' in request ? request.body : undefined;
  return fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: body as BodyInit }),
    ...(signal ? { signal } : {}),
  });
}

describe('a DLI batch created and awaited', () => {
  it('polls the state on the emulator clock until success, through a busy gateway', async () => {
    const baseUrl = emulator.url;
    const created = await withRetries(() =>
      send(
        dli.createBatch({
          baseUrl,
          projectId: 'p1',
          body: { file: 'obs://b/app.jar', className: 'Main', queue: 'q' },
        }),
      ),
    );
    const { id } = (await created.json()) as { id: string };
    // The gateway is busy for the first two state reads.
    emulator.faults.add({
      match: { operation: 'getBatchState' },
      action: { type: 'status', status: 503, fault: 'DLI.0999', headers: { 'Retry-After': '5' } },
      times: 2,
    });
    const request = dli.getBatchState({ baseUrl, projectId: 'p1', batchId: id });
    const started = emulator.clock.now();
    const states: string[] = [];
    const retries: number[] = [];
    const final = await pollUntil((signal) => send(request, signal), {
      parse: parseDliBatchState,
      done: isDliBatchTerminal,
      intervalMs: 10_000,
      maxIntervalMs: 60_000,
      // The emulator's manual clock: every wait moves it, none takes real time.
      clock: { now: () => emulator.clock.now(), sleep: (ms) => emulator.clock.advance(ms) },
      onProgress: (state) => states.push(state.state),
      retry: { onRetry: (_fault, _attempt, ms) => retries.push(ms) },
    });
    expect(final).toMatchObject({ id, state: 'success', terminal: true });
    expect(retries).toEqual([5000, 5000]);
    expect(states[0]).toBe('starting');
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('success');
    // 5 + 5 s of Retry-After, then 10, 20, 40, 60, 60, 60, 60 s: done once 360 s have passed.
    const waited = emulator.clock.now() - started;
    expect(waited).toBeGreaterThanOrEqual(360_000);
    expect(waited).toBeLessThan(360_000 + 60_000 + 10_000);
    const operations = emulator.journal.entries().map((e) => [e.operation, e.status]);
    expect(operations.filter(([op, status]) => op === 'getBatchState' && status === 503)).toHaveLength(2);
  });
});

describe('an Azure Batch listing, page by page', () => {
  const first = () =>
    azureBatch.listJobs({ baseUrl: emulator.url, apiVersion: API, filter: "startswith(id, 'sdk-')" });

  it('sets maxresults, survives a ServerBusy page, and resumes exactly after a saved link', async () => {
    emulator.faults.add({
      match: { operation: 'listJobs' },
      action: { type: 'status', status: 503, fault: 'ServerBusy', headers: { 'Retry-After': '0' } },
      after: 1,
      times: 1,
    });
    const requested: string[] = [];
    const fetchPage = (_link: string | undefined, request?: PageRequest) => {
      requested.push(request!.url);
      return send(request!);
    };
    const faults: string[] = [];
    const pages: {
      ids: string[];
      nextLink: string | undefined;
      status: number | undefined;
      requestId: string | null;
    }[] = [];
    for await (const page of paginatePages(fetchPage, {
      parse: parseJobListPage,
      url: first(),
      maxPageSize: 5,
      retry: {
        onRetry: (fault) => faults.push(`${fault.code} ${fault.requestId === undefined ? '' : 'with id'}`),
      },
    })) {
      const headers = page.headers as Headers;
      pages.push({
        ids: page.items.map((j) => j.id!),
        nextLink: page.nextLink,
        status: page.status,
        requestId: headers.get('request-id'),
      });
    }
    expect(pages.map((p) => p.ids.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flatMap((p) => p.ids)).toEqual(
      Array.from({ length: 23 }, (_, i) => `sdk-${String(i).padStart(2, '0')}`),
    );
    expect(pages.every((p) => p.status === 200 && p.requestId !== null)).toBe(true);
    expect(pages.at(-1)!.nextLink).toBeUndefined();
    expect(faults).toEqual(['ServerBusy with id']);
    // Six requests for five pages: the busy one was fetched again. Every one asked for 5.
    expect(requested).toHaveLength(6);
    expect(requested.every((url) => new URL(url).searchParams.get('maxresults') === '5')).toBe(true);

    // Resume from the link saved after the second page: exactly the items after it.
    const saved = pages[1]!.nextLink!;
    const resumed: string[] = [];
    for await (const page of paginatePages(fetchPage, {
      parse: parseJobListPage,
      url: first(),
      startAt: saved,
    })) {
      resumed.push(...page.items.map((j) => j.id!));
    }
    expect(resumed).toEqual(pages.slice(2).flatMap((p) => p.ids));
  });

  it('a non-retriable fault ends the listing with the service error', async () => {
    const listing = paginatePages((_l, request) => send(request!), {
      parse: parseJobListPage,
      url: azureBatch.listJobs({ baseUrl: emulator.url, apiVersion: API, maxResults: 5 }),
      startAt: `${emulator.url}/jobs?api-version=${API}&$skiptoken=999999`,
      retry: true,
    });
    const error = await (async () => {
      for await (const _ of listing) {
        // nothing
      }
    })().catch((e: unknown) => e);
    expect(isBatchwireServiceError(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, fault: { code: 'InvalidQueryParameterValue' } });
  });
});
