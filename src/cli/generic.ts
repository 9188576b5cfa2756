import { decodeGenericRequests, decodeGenericResponses } from '../generic/index.js';
import { type Command, oneFile, openInput, printRecords, readingOptions } from './io.js';

/** `batchwire decode generic`: a Get Responses (or, with --requests, Send Requests) body as JSON lines. */
export const decodeGenericCommand: Command = {
  summary: 'a generic-service Get Responses body (U+FFFF / U+0000 records) as JSON lines',
  usage: `Usage: batchwire decode generic [FILE|-] [--encoding E] [--content-type T] [--requests] [--no-verify-count]

Reads a generic-service body from FILE (or standard input) and prints one JSON line per record.
On a bad body it prints the records that decoded, then the error on stderr, and exits 1; when the
body looks like another format it says which command reads it. A file that cannot be read is
exit code 2.

Options:
  --encoding E        auto (default), utf-8, utf-16le or utf-16be
  --content-type T    the response's Content-Type; its charset guides auto
  --requests          read a Send Requests body (input U+FFFF userData U+0000) instead
  --no-verify-count   accept a closing count that differs from the responses received
`,
  options: {
    encoding: { type: 'string' },
    'content-type': { type: 'string' },
    requests: { type: 'boolean' },
    'no-verify-count': { type: 'boolean' },
  },
  async run(context) {
    const file = oneFile(context.args);
    const options = readingOptions(context.options);
    const input = await openInput(file, context);
    if (context.options.requests === true)
      return printRecords(decodeGenericRequests(input, options), context, input, 'generic-requests');
    const verifyCount = context.options['no-verify-count'] !== true;
    return printRecords(
      decodeGenericResponses(input, { ...options, verifyCount }),
      context,
      input,
      'generic',
    );
  },
};
