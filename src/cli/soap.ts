import { parseBrokerClientStatus, readMessageArray } from '../soap/index.js';
import {
  type Command,
  hint,
  oneFile,
  openInput,
  printRecords,
  readAll,
  readingOptions,
  reportError,
  writeJsonLine,
} from './io.js';

/** `batchwire decode soap`: a SOAP message array (Get Responses or Send Requests body) as JSON lines. */
export const decodeSoapCommand: Command = {
  summary: 'a SOAP 1.2 message array (non-generic Get Responses body) as JSON lines',
  usage: `Usage: batchwire decode soap [FILE|-] [--encoding E] [--content-type T] [--no-verify-count] [--no-require-end]

Reads an HPCPack2008_/HPCServer2008_WebAPI_MessageArray from FILE (or standard input) and prints
one JSON line per envelope as soon as it has been read: {"kind":"response",...}, {"kind":"fault",...},
then {"kind":"end",...}. On a bad body it prints the records that were read, then the error on
stderr (code, offset, line and column), and exits 1.

Options:
  --encoding E        auto (default), utf-8, utf-16le or utf-16be
  --content-type T    the response's Content-Type; its charset guides auto
  --no-verify-count   accept a closing count that differs from the messages received
  --no-require-end    read a body without the EndOfGetResponse envelope (a Send Requests body)
`,
  options: {
    encoding: { type: 'string' },
    'content-type': { type: 'string' },
    'no-verify-count': { type: 'boolean' },
    'no-require-end': { type: 'boolean' },
  },
  async run(context) {
    const file = oneFile(context.args);
    // Options first: a usage error must not leave a file half opened.
    const options = {
      ...readingOptions(context.options),
      verifyCount: context.options['no-verify-count'] !== true,
      requireEnd: context.options['no-require-end'] !== true,
    };
    const input = await openInput(file, context);
    return printRecords(readMessageArray(input, options), context, input, 'soap', 'messages');
  },
};

/** `batchwire decode status`: a Get Request Status body (JSON number or XML element) as one JSON line. */
export const decodeStatusCommand: Command = {
  summary: 'a Get Request Status body (BrokerClientStatus, JSON or XML) as a JSON line',
  usage: `Usage: batchwire decode status [FILE|-] [--content-type T]

Reads a Get Request Status body from FILE (or standard input): the JSON number 0-3 or the element
<BrokerClientStatus xmlns="http://hpc.microsoft.com">Finished</BrokerClientStatus>, and prints
{"status":"Finished"}. Anything else is an UNKNOWN_STATUS error on stderr, exit code 1.

Options:
  --content-type T    the response's Content-Type: "json" in it selects the JSON form; its
                      charset guides decoding
`,
  options: { 'content-type': { type: 'string' } },
  async run(context) {
    const file = oneFile(context.args);
    const contentType = context.options['content-type'];
    const input = await openInput(file, context);
    try {
      const body = await readAll(input);
      const status = parseBrokerClientStatus(body, typeof contentType === 'string' ? contentType : undefined);
      await writeJsonLine(context.stdout, { status });
      return 0;
    } catch (error) {
      reportError(error, context.stderr);
      hint(input, 'status', context);
      return 1;
    }
  },
};
