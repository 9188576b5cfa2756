import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeGenericRequests, decodeGenericResponses } from '../generic/index.js';
import { formatFilter, parseFilter, schemas, validateFilter } from '../odata/index.js';
import { parseBrokerClientStatus, readMessageArray } from '../soap/index.js';
import { dliStateRecords, faultRecords, jobPrepPageRecords } from './faults.js';
import { type Command, openBundled, printRecords, readAll } from './io.js';

// One-record streams for the documents that are read whole.
async function* statusRecords(input: AsyncIterable<Uint8Array>, contentType: string) {
  yield { status: parseBrokerClientStatus(await readAll(input), contentType) };
}

async function* filterRecords(input: AsyncIterable<Uint8Array>) {
  const text = new TextDecoder().decode(await readAll(input)).trim();
  const schema = schemas.jobPreparationAndReleaseTaskStatus;
  yield { filter: text, diagnostics: validateFilter(text, schema) };
  yield { formatted: formatFilter(parseFilter(text, { schema })) };
  const misspelt = text.replace('nodeId', 'nodeID');
  yield { filter: misspelt, diagnostics: validateFilter(misspelt, schema) };
}

/** A bundled sample body and the decoder that reads it. */
export interface Sample {
  file: string;
  title: string;
  decode(input: AsyncIterable<Uint8Array>): AsyncIterable<unknown>;
}

/** The bundled samples, in the order `batchwire demo` prints them. */
export const samples: Sample[] = [
  {
    file: 'generic-responses.utf8.bin',
    title: 'Get Responses, generic service, UTF-8 as the REST client sample writes it',
    decode: (input) => decodeGenericResponses(input),
  },
  {
    file: 'generic-responses.utf16le.bin',
    title: 'Get Responses, generic service, UTF-16LE with a byte order mark',
    decode: (input) => decodeGenericResponses(input),
  },
  {
    file: 'generic-responses.utf16be.bin',
    title: 'Get Responses, generic service, UTF-16BE without a byte order mark',
    decode: (input) => decodeGenericResponses(input),
  },
  {
    file: 'generic-requests.utf8.bin',
    title: 'Send Requests, generic service, UTF-8',
    decode: (input) => decodeGenericRequests(input),
  },
  {
    file: 'soap-responses.xml',
    title: 'Get Responses, SOAP 1.2 message array (HPCPack2008_ names, as the docs show it)',
    decode: (input) => readMessageArray(input),
  },
  {
    file: 'soap-runtime-mixed.xml',
    title:
      'Get Responses, SOAP message array as the runtime writes it (HPCServer2008_, other prefixes, a fault)',
    decode: (input) => readMessageArray(input),
  },
  {
    file: 'status-finished.xml',
    title: 'Get Request Status, XML form',
    decode: (input) => statusRecords(input, 'application/xml; charset=utf-8'),
  },
  {
    file: 'status-processing.json',
    title: 'Get Request Status, JSON form',
    decode: (input) => statusRecords(input, 'application/json; charset=utf-8'),
  },
  {
    file: 'fault-hpc.xml',
    title: 'HPC Pack HpcWebServiceFault, XML, Values nil (HTTP 500)',
    decode: (input) => faultRecords(input, { status: 500, contentType: 'application/xml; charset=utf-8' }),
  },
  {
    file: 'fault-hpc-values.xml',
    title: 'HPC Pack HpcWebServiceFault, XML, with Values filling the message placeholders (HTTP 400)',
    decode: (input) => faultRecords(input, { status: 400, contentType: 'application/xml; charset=utf-8' }),
  },
  {
    file: 'fault-hpc.json',
    title: 'HPC Pack HpcWebServiceFault, JSON (HTTP 400)',
    decode: (input) => faultRecords(input, { status: 400, contentType: 'application/json; charset=utf-8' }),
  },
  {
    file: 'fault-hpc-legacy.xml',
    title: 'HPC Pack fault before 2011: a serialized string (HTTP 400)',
    decode: (input) => faultRecords(input, { status: 400, contentType: 'application/xml' }),
  },
  {
    file: 'fault-soap12.xml',
    title: 'SOAP 1.2 Fault envelope with a session fault (HTTP 500)',
    decode: (input) =>
      faultRecords(input, { status: 500, contentType: 'application/soap+xml; charset=utf-8' }),
  },
  {
    file: 'fault-azure-batch.json',
    title: 'Azure Batch error body (HTTP 400)',
    decode: (input) =>
      faultRecords(input, { status: 400, contentType: 'application/json;odata=minimalmetadata' }),
  },
  {
    file: 'fault-dli.json',
    title: 'Huawei DLI error body (HTTP 400)',
    decode: (input) => faultRecords(input, { status: 400, contentType: 'application/json' }),
  },
  {
    file: 'dli-state.json',
    title: 'Huawei DLI batch job state',
    decode: (input) => dliStateRecords(input),
  },
  {
    file: 'jobprep-page.json',
    title: 'Azure Batch job preparation/release task status, one page',
    decode: (input) => jobPrepPageRecords(input),
  },
  {
    file: 'jobprep-filter.txt',
    title: 'Azure Batch $filter for that list: validated, formatted, and a misspelt property caught',
    decode: (input) => filterRecords(input),
  },
];

/** The samples folder: beside `dist/` in the package (`dist/cli.js`), or at the top of the repository (`src/cli/demo.ts`). */
export function samplesDirectory(): string {
  for (const relative of ['../samples/', '../../samples/']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the samples/ folder is missing from this installation');
}

export const demoCommand: Command = {
  summary: 'decode every bundled sample body and print its records (what npm start runs)',
  usage: `Usage: batchwire demo

Decodes each sample body bundled in the package's samples/ folder with the decoder for its
format and prints a heading and one JSON line per record.
`,
  options: {},
  async run(context) {
    const directory = samplesDirectory();
    let status = 0;
    for (const sample of samples) {
      const path = `${directory}${sample.file}`;
      context.stdout.write(`\n# ${sample.title}\n# samples/${sample.file}\n`);
      status = Math.max(status, await printRecords(sample.decode(openBundled(path)), context));
    }
    return status;
  },
};
