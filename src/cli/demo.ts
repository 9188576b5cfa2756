import { createReadStream, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeGenericRequests, decodeGenericResponses } from '../generic/index.js';
import { type Command, printRecords } from './io.js';

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
      status = Math.max(status, await printRecords(sample.decode(createReadStream(path)), context));
    }
    return status;
  },
};
