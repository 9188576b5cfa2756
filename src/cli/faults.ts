import { parseFault } from '../faults/parse.js';
import type { ServiceFault } from '../faults/types.js';
import { parseDliBatchState, parseJobPrepReleaseStatusPage } from '../status/parse.js';
import type { DliBatchState, JobPrepReleaseStatusPage } from '../status/types.js';
import {
  type Command,
  hint,
  oneFile,
  openInput,
  readAll,
  reportError,
  UsageError,
  writeJsonLine,
} from './io.js';

/** The fault in a body read from `input`, as a one-record stream (for `batchwire demo`). */
export async function* faultRecords(
  input: AsyncIterable<Uint8Array>,
  options: { status?: number | undefined; contentType?: string | undefined } = {},
): AsyncGenerator<ServiceFault> {
  const body = await readAll(input, { truncate: true });
  yield parseFault({ ...options, body });
}

/** The DLI batch state in a body read from `input`, as a one-record stream (for `batchwire demo`). */
export async function* dliStateRecords(input: AsyncIterable<Uint8Array>): AsyncGenerator<DliBatchState> {
  yield parseDliBatchState(await readAll(input));
}

/** The job prep/release status page in a body read from `input`, as a one-record stream. */
export async function* jobPrepPageRecords(
  input: AsyncIterable<Uint8Array>,
): AsyncGenerator<JobPrepReleaseStatusPage> {
  yield parseJobPrepReleaseStatusPage(await readAll(input));
}

function statusOption(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const status = Number(text);
  if (text === '' || !Number.isInteger(status) || status < 100 || status > 999) {
    throw new UsageError(`--status: expected an HTTP status code (100-999), got ${JSON.stringify(value)}`);
  }
  return status;
}

/** `batchwire decode fault`: an error response body as a normalised ServiceFault. */
export const decodeFaultCommand: Command = {
  summary: 'an error response (HPC Pack, Azure Batch, DLI, SOAP fault) as a ServiceFault JSON line',
  usage: `Usage: batchwire decode fault [FILE|-] [--status N] [--content-type T]

Reads an error response body from FILE (or standard input) and prints the normalised fault as
one JSON line: {"service","code","message","formatted","values","retriable",...}. Recognises
HPC Pack HpcWebServiceFault (XML or JSON) and the pre-2011 <string> body, Azure Batch error JSON,
DLI error_code/error_msg and is_success:false bodies, and SOAP 1.1/1.2 Fault envelopes; anything
else is {"service":"unknown"} with the start of the body as the message. Never fails on the body.

Options:
  --status N          the HTTP status (decides "retriable" together with the code)
  --content-type T    the response's Content-Type; its charset guides decoding
`,
  options: { status: { type: 'string' }, 'content-type': { type: 'string' } },
  async run(context) {
    const file = oneFile(context.args);
    const status = statusOption(context.options.status);
    const contentType = context.options['content-type'];
    const input = await openInput(file, context);
    try {
      const options = { status, contentType: typeof contentType === 'string' ? contentType : undefined };
      for await (const fault of faultRecords(input, options)) await writeJsonLine(context.stdout, fault);
      return 0;
    } catch (error) {
      reportError(error, context.stderr);
      return 1;
    }
  },
};

/** `batchwire decode dli-state`: a DLI batch job state body. */
export const decodeDliStateCommand: Command = {
  summary: 'a DLI batch job state body ({"id","state"}) as a JSON line',
  usage: `Usage: batchwire decode dli-state [FILE|-]

Reads a DLI GET /v2.0/{project_id}/batches/{batch_id}/state body from FILE (or standard input)
and prints {"id","state","rawState","known","terminal"}. A malformed body is a
MALFORMED_DOCUMENT error on stderr (with its offset), exit code 1; a DLI error body is a
SERVICE_FAULT error.
`,
  options: {},
  async run(context) {
    const input = await openInput(oneFile(context.args), context);
    try {
      for await (const state of dliStateRecords(input)) await writeJsonLine(context.stdout, state);
      return 0;
    } catch (error) {
      reportError(error, context.stderr);
      hint(input, 'dli-state', context);
      return 1;
    }
  },
};

/** `batchwire decode jobprep-page`: one page of the Azure Batch job prep/release status list. */
export const decodeJobPrepPageCommand: Command = {
  summary: 'an Azure Batch job preparation/release task status page as a JSON line',
  usage: `Usage: batchwire decode jobprep-page [FILE|-]

Reads one page of Azure Batch "List Job Preparation and Release Task Status" from FILE (or
standard input) and prints {"items":[...],"nextLink":...} with date-times in ISO 8601 and
unknown fields under "extra". A malformed page is a MALFORMED_DOCUMENT error on stderr (with the
offset of the bad value), exit code 1; an Azure Batch error body is a SERVICE_FAULT error.
`,
  options: {},
  async run(context) {
    const input = await openInput(oneFile(context.args), context);
    try {
      for await (const page of jobPrepPageRecords(input)) await writeJsonLine(context.stdout, page);
      return 0;
    } catch (error) {
      reportError(error, context.stderr);
      hint(input, 'jobprep-page', context);
      return 1;
    }
  },
};
