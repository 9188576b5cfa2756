import { type FuzzCase, type FuzzFinding, type FuzzOptions, type FuzzReport, runFuzz } from 'batchwire/fuzz';
import { decodeGenericRequests } from 'batchwire/generic';
import { readMessageArray } from 'batchwire/soap';
import { expect } from 'vitest';
import type { Backend } from './backends.js';

/** Runs the fuzzer against a backend, then stops the backend. */
export async function fuzz(
  backend: Backend,
  options: Omit<FuzzOptions, 'target'> & Pick<Partial<FuzzOptions>, 'target'>,
): Promise<FuzzReport> {
  try {
    return await runFuzz({ target: backend.url, requestTimeoutMs: 2000, ...options });
  } finally {
    await backend.close();
  }
}

/** The one finding of a check (the test fails with the list of findings if there is none). */
export function findingOf(report: FuzzReport, check: FuzzFinding['check'], operation?: string): FuzzFinding {
  const found = report.findings.find(
    (f) => f.check === check && (operation === undefined || f.operation === operation),
  );
  expect(
    found,
    `no ${check} finding among ${JSON.stringify(report.findings.map((f) => f.signature))}`,
  ).toBeDefined();
  return found!;
}

/** The requests a Send Requests body of the case carries (generic or SOAP): input and userData. */
export async function sentRequests(
  c: FuzzCase,
  index: number,
): Promise<{ input: string; userData: string }[]> {
  const request = c.requests[index]!;
  const body = c.files[request.body!]!;
  const out: { input: string; userData: string }[] = [];
  if (request.url.includes('genericservice=true')) {
    const contentType = request.headers['content-type'];
    for await (const r of decodeGenericRequests([body], contentType ? { contentType } : {})) out.push(r);
  } else {
    for await (const r of readMessageArray([body], { requireEnd: false })) {
      if (r.kind === 'response') out.push({ input: r.body.result ?? r.body.xml, userData: r.userData ?? '' });
    }
  }
  return out;
}

/** The operations of a case's requests, in order. */
export function operations(c: FuzzCase): string[] {
  return c.requests.map((r) => r.operation);
}
