// Attacks on parseFault (JSON, DLI and Azure Batch bodies; the XML/SOAP ones belong with the XML
// attacks) and on the .NET formatter behind `formatted`.
import { FORMAT_ELLIPSIS, formatDotNet, parseFault, type ServiceFault } from 'batchwire/faults';
import { type Attack, attack } from '../harness.js';

// Bodies stay under maxBodyBytes (4 MiB) at 8n: n at most 4 MiB / 8 / (characters per n).
const under = (charsPerN: number) => Math.floor((4 * 1024 * 1024) / 8 / charsPerN);

// The fault must be the service the body is from, and `formatted` within its documented bound.
const isService =
  (service: ServiceFault['service'], bounded = false) =>
  (output: unknown): string | undefined => {
    const fault = output as ServiceFault;
    if (fault.service !== service) return `service ${fault.service}, expected ${service}`;
    if (bounded && !fault.formatted.endsWith(FORMAT_ELLIPSIS)) return 'formatted was not cut at its bound';
    return undefined;
  };

const hpc = (message: string, values: { key: string; value: string }[]) =>
  JSON.stringify({ Code: 1, Message: message, Values: values });

// One JSON object with at most this many keys at 8n (32 000): from there on, V8's own JSON.parse
// of the object alone goes 2.4x to 9x per doubling on this machine (64 000 keys: 8 -> 71 ms),
// about what as many keys in small objects cost (garbage collection, not the object's shape);
// maxBodyBytes bounds it (a 3.3 MiB body of 300 000 keys parses in about 0.3 s either way).
const WIDE = 4000;

const attacks: Attack[] = [
  attack({
    target: 'parseFault',
    name: 'HPC JSON: {0} repeated with a long value (issue 12 finding 1)',
    maxN: under(4),
    check: isService('hpc-pack', true),
    n: 2000,
    build: (n) => hpc('{0}'.repeat(n), [{ key: 'k', value: 'v'.repeat(n) }]),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'HPC JSON: {0,1024} repeated (padding)',
    maxN: under(8),
    check: isService('hpc-pack', true),
    n: 1000,
    build: (n) => hpc('{0,1024}'.repeat(n), [{ key: 'k', value: 'v' }]),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'HPC JSON: {0,-1024} repeated (left alignment)',
    maxN: under(9),
    check: isService('hpc-pack', true),
    n: 1000,
    build: (n) => hpc('{0,-1024}'.repeat(n), [{ key: 'k', value: 'v' }]),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'HPC JSON: n values, each used by its own placeholder',
    maxN: under(40),
    check: isService('hpc-pack'),
    n: 1000,
    build: (n) =>
      hpc(
        Array.from({ length: n }, (_, i) => `{${i}}`).join(' '),
        Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `value ${i}` })),
      ),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'HPC JSON: unclosed items {0: repeated',
    maxN: under(3),
    check: isService('hpc-pack'),
    n: 5000,
    build: (n) => hpc('{0:'.repeat(n), [{ key: 'k', value: 'v' }]),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'HPC JSON as UTF-16LE bytes, {0} repeated',
    maxN: under(8),
    check: isService('hpc-pack', true),
    n: 2000,
    build: (n) => {
      const text = hpc('{0}'.repeat(n), [{ key: 'k', value: 'w'.repeat(n) }]);
      const bytes = new Uint8Array(2 + text.length * 2);
      bytes.set([0xff, 0xfe]);
      for (let i = 0; i < text.length; i++) bytes[2 + 2 * i] = text.charCodeAt(i);
      return bytes;
    },
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'DLI: a long error_msg',
    maxN: under(1),
    check: isService('dli'),
    n: 20_000,
    build: (n) => JSON.stringify({ error_code: 'DLI.0001', error_msg: 'm'.repeat(n) }),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'DLI: many extra keys',
    maxN: WIDE,
    check: isService('dli'),
    n: 2000,
    build: (n) =>
      JSON.stringify({
        error_code: 'DLI.0001',
        error_msg: 'm',
        ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, i])),
      }),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'JSON nested n levels deep (past maxJsonDepth: an unknown fault)',
    n: 2000,
    maxN: under(2),
    build: (n) => `{"error_code":"DLI.0001","error_msg":${'['.repeat(n)}${']'.repeat(n)}}`,
    run: (body) => parseFault({ body }),
    check: isService('unknown'),
  }),
  attack({
    target: 'parseFault',
    name: 'DLI: n values nested 900 levels deep each',
    maxN: 64,
    n: 2,
    build: (n) =>
      `{"error_code":"DLI.0001","error_msg":"m","x":[${Array.from({ length: n }, () => `${'['.repeat(900)}${']'.repeat(900)}`).join(',')}]}`,
    run: (body) => parseFault({ body }),
    check: isService('dli'),
  }),
  attack({
    target: 'parseFault',
    name: 'Azure Batch: odata.error with many values and a long message',
    maxN: under(40),
    check: isService('azure-batch'),
    n: 1000,
    build: (n) =>
      JSON.stringify({
        'odata.metadata':
          'https://a/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element',
        'odata.error': {
          code: 'JobNotFound',
          message: { lang: 'en-US', value: 'x'.repeat(n) },
          values: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `{0}${i}` })),
        },
      }),
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'Azure Batch: many extra top-level fields',
    maxN: WIDE,
    check: isService('azure-batch'),
    n: 2000,
    build: (n) =>
      JSON.stringify({
        code: 'ServerBusy',
        message: 'busy',
        ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`__proto__${i}`, { a: [i] }])),
      }),
    run: (body) => parseFault({ status: 503, headers: { 'retry-after': '5' }, body }),
  }),
  attack({
    target: 'parseFault',
    name: 'unknown: broken JSON that opens n arrays',
    maxN: under(1),
    check: isService('unknown'),
    n: 5000,
    build: (n) => `{"code":${'['.repeat(n)}`,
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'unknown: n random bytes',
    maxN: under(1),
    check: isService('unknown'),
    n: 20_000,
    build: (n) => {
      const bytes = new Uint8Array(n);
      let x = 7;
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        bytes[i] = x >>> 24;
      }
      return bytes;
    },
    run: (body) => parseFault({ body }),
  }),
  attack({
    target: 'parseFault',
    name: 'a body past maxBytes (kept as truncated text)',
    n: 20_000,
    check: isService('unknown'),
    build: (n) => hpc('{0}'.repeat(n), [{ key: 'k', value: 'v' }]),
    run: (body) => parseFault({ body }, { maxBytes: body.length >> 1 }),
  }),
  attack({
    target: 'formatDotNet',
    name: '{0} repeated with a long argument',
    n: 2000,
    build: (n) => ({ format: '{0}'.repeat(n), args: ['x'.repeat(n)] }),
    run: ({ format, args }) => formatDotNet(format, args),
  }),
  attack({
    target: 'formatDotNet',
    name: '{0,1024} repeated',
    n: 1000,
    build: (n) => ({ format: '{0,1024}'.repeat(n), args: ['x'] }),
    run: ({ format, args }) => formatDotNet(format, args),
  }),
  attack({
    target: 'formatDotNet',
    name: 'an unclosed {0: followed by n escaped braces',
    n: 20_000,
    build: (n) => ({ format: `{0:${'}}'.repeat(n)}`, args: ['x'] }),
    run: ({ format, args }) => formatDotNet(format, args),
  }),
  attack({
    target: 'formatDotNet',
    name: '{ followed by spaces, repeated (items that never close)',
    n: 5000,
    build: (n) => ({ format: '{    '.repeat(n), args: ['x'] }),
    run: ({ format, args }) => formatDotNet(format, args),
  }),
  attack({
    target: 'formatDotNet',
    name: '{{ and }} repeated',
    n: 20_000,
    build: (n) => ({ format: '{{}}'.repeat(n), args: [] as string[] }),
    run: ({ format, args }) => formatDotNet(format, args),
  }),
  attack({
    target: 'formatDotNet',
    name: 'n distinct placeholders over n arguments',
    n: 2000,
    build: (n) => ({
      format: Array.from({ length: n }, (_, i) => `{${i},4}`).join(''),
      args: Array.from({ length: n }, (_, i) => String(i)),
    }),
    run: ({ format, args }) => formatDotNet(format, args),
  }),
];

export default attacks;
