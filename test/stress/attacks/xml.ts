// Attacks on the XML layer: the message array reader, parseFault's XML and SOAP bodies, and
// parseBrokerClientStatus. Each input grows in the one dimension it means to stress.
import { parseFault, type ServiceFault } from 'batchwire/faults';
import { MessageArrayReader, parseBrokerClientStatus, parseMessageArray } from 'batchwire/soap';
import { type Attack, attack } from '../harness.js';

const S = 'http://www.w3.org/2003/05/soap-envelope';
const A = 'http://www.w3.org/2005/08/addressing';

const message = (i: number, prefixes = '') =>
  `<s:Envelope xmlns:s="${S}" xmlns:a="${A}"><s:Header><a:Action>act</a:Action></s:Header><s:Body><R xmlns="urn:r"${prefixes}><RResult>${i}</RResult></R></s:Body></s:Envelope>`;

const count = (output: unknown) => (output as { messages: unknown[] }).messages.length;
const records = (n: number) => (output: unknown) =>
  count(output) === n ? undefined : `${count(output)} records, expected ${n}`;
// A record per message: output size is what the records hold, not the input's declarations.
const recordSize = (output: unknown) => JSON.stringify((output as { messages: unknown[] }).messages).length;

const isSoap = (output: unknown): string | undefined =>
  (output as ServiceFault).service === 'soap' ? undefined : `service ${(output as ServiceFault).service}`;

const attacks: Attack[] = [
  attack({
    target: 'parseMessageArray',
    name: 'a root declaring n prefixes, then n messages using one of them',
    n: 2000,
    maxN: 60_000,
    build: (n) => {
      let declarations = '';
      for (let i = 0; i < n; i++) declarations += ` xmlns:p${i}="urn:p${i}"`;
      const body: string[] = [`<r${declarations}>`];
      for (let i = 0; i < n; i++) body.push(message(i).replace('<RResult>', `<RResult p${i % n}:x="1">`));
      body.push('</r>');
      return body.join('');
    },
    run: (text) => parseMessageArray(text, { requireEnd: false, maxMessageBytes: 1 << 30 }),
    check: (output) => (count(output) > 0 ? undefined : 'no records'),
    outputSize: recordSize,
  }),
  attack({
    target: 'parseMessageArray',
    name: 'one element with n xmlns:pI declarations and n p0:aI attributes',
    n: 2000,
    maxN: 100_000,
    build: (n) => {
      let attributes = '';
      for (let i = 0; i < n; i++) attributes += ` xmlns:p${i}="urn:p${i}"`;
      for (let i = 0; i < n; i++) attributes += ` p0:a${i}="v"`;
      return `<r>${message(0).replace('<RResult>', `<RResult${attributes}>`)}</r>`;
    },
    run: (text) => parseMessageArray(text, { requireEnd: false, maxMessageBytes: 1 << 30 }),
    check: records(1),
  }),
  attack({
    target: 'parseMessageArray',
    name: 'many tiny messages',
    n: 2000,
    build: (n) => {
      const body: string[] = ['<r>'];
      for (let i = 0; i < n; i++) body.push(message(i));
      body.push('</r>');
      return body.join('');
    },
    run: (text) => parseMessageArray(text, { requireEnd: false }),
    check: (output) => (count(output) > 0 ? undefined : 'no records'),
  }),
  attack({
    target: 'parseMessageArray',
    name: 'deep nesting up to maxDepth (raised with n)',
    n: 500,
    maxN: 20_000,
    build: (n) =>
      `<r>${message(0).replace('<RResult>0</RResult>', `${'<d>'.repeat(n)}${'</d>'.repeat(n)}`)}</r>`,
    run: (text) => parseMessageArray(text, { requireEnd: false, maxDepth: 1 << 20 }),
    check: records(1),
  }),
  attack({
    target: 'parseMessageArray',
    name: 'long element and attribute names',
    n: 20_000,
    maxN: 1_000_000,
    build: (n) => {
      const name = `x${'n'.repeat(n)}`;
      return `<r>${message(0).replace('<RResult>0</RResult>', `<${name} ${name}="1">v</${name}>`)}</r>`;
    },
    run: (text) => parseMessageArray(text, { requireEnd: false }),
    check: records(1),
  }),
  attack({
    target: 'MessageArrayReader',
    name: '1-byte chunks of a message array',
    n: 20,
    maxN: 2000,
    build: (n) => {
      const body: string[] = ['<r>'];
      for (let i = 0; i < n; i++)
        body.push(message(i, ' xmlns:b="urn:b"').replace('<RResult>', '<b:x>é😀</b:x><RResult>'));
      body.push('</r>');
      const bytes = new TextEncoder().encode(body.join(''));
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
      return chunks;
    },
    run: (chunks) => {
      const reader = new MessageArrayReader({ requireEnd: false });
      let records = 0;
      for (const chunk of chunks) records += reader.write(chunk).length;
      return records + reader.end().length;
    },
    inputSize: (chunks) => chunks.length,
    outputSize: () => 0,
  }),
  attack({
    target: 'parseMessageArray',
    name: 'a huge fault detail of many <a/>',
    n: 20_000,
    maxN: 1_000_000,
    build: (n) =>
      `<r><s:Envelope xmlns:s="${S}"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>x</s:Text></s:Reason><s:Detail><d>${'<a/>'.repeat(n)}</d></s:Detail></s:Fault></s:Body></s:Envelope></r>`,
    run: (text) => parseMessageArray(text, { requireEnd: false, maxMessageBytes: 1 << 30 }),
    check: records(1),
  }),
  attack({
    target: 'parseFault',
    name: 'SOAP fault with a detail of many <a/>',
    n: 20_000,
    maxN: Math.floor((4 * 1024 * 1024) / 8 / 4),
    build: (n) =>
      `<s:Envelope xmlns:s="${S}"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>x</s:Text></s:Reason><s:Detail><d>${'<a/>'.repeat(n)}</d></s:Detail></s:Fault></s:Body></s:Envelope>`,
    run: (body) => parseFault({ body }),
    check: isSoap,
  }),
  attack({
    target: 'parseFault',
    name: 'SOAP fault whose root declares n prefixes',
    n: 2000,
    maxN: Math.floor((4 * 1024 * 1024) / 8 / 24),
    build: (n) => {
      let declarations = '';
      for (let i = 0; i < n; i++) declarations += ` xmlns:p${i}="urn:p${i}"`;
      return `<s:Envelope xmlns:s="${S}"${declarations}><s:Body><s:Fault><s:Code><s:Value>p${n - 1}:X</s:Value></s:Code><s:Reason><s:Text>x</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;
    },
    run: (body) => parseFault({ body }),
    check: isSoap,
  }),
  attack({
    target: 'parseBrokerClientStatus',
    name: 'a status element with n namespace declarations and n prefixed attributes',
    n: 2000,
    maxN: Math.floor((4 * 1024 * 1024) / 8 / 40),
    build: (n) => {
      let attributes = '';
      for (let i = 0; i < n; i++) attributes += ` xmlns:p${i}="urn:p${i}" p${i}:a="v"`;
      return `<BrokerClientStatus xmlns="http://hpc.microsoft.com"${attributes}>Finished</BrokerClientStatus>`;
    },
    run: (body) => parseBrokerClientStatus(body),
  }),
];

export default attacks;
