// One-off: builds the generic golden vectors with Buffer only (independent of batchwire's encoder).
const fs = require('node:fs');
const SEP = '\uffff',
  END = '\u0000';
const EOR = 'http://hpc.microsoft.com/EndOfGetResponse';
const ACT = 'http://tempuri.org/service_interface_name/service_reply_action_name';
const GACT = 'http://hpc.microsoft.com/GenericService/IGenericService/GenericOperationResponse';
const rec = (a, o, u) => a + SEP + o + SEP + u + END;
const trailer = (n, r) => EOR + SEP + n + SEP + r + END;
const le = (s) => Buffer.from(s, 'utf16le');
const be = (s) => Buffer.from(s, 'utf16le').swap16();
const u8 = (s) => Buffer.from(s, 'utf8');
const BOMLE = Buffer.from([0xff, 0xfe]),
  BOMBE = Buffer.from([0xfe, 0xff]),
  BOM8 = Buffer.from([0xef, 0xbb, 0xbf]);
const r = (action, output, userData) => ({ kind: 'response', action, output, userData });
const e = (count, reason, rawReason, received) => ({ kind: 'end', count, reason, rawReason, received });
const seedText =
  rec(ACT, 'SOA_response1_output_string', 'SOA_response1_user_data') +
  rec(ACT, 'SOA_response2_output_string', 'SOA_response2_user_data') +
  trailer(2, 'Success');
const seedRecords = [
  r(ACT, 'SOA_response1_output_string', 'SOA_response1_user_data'),
  r(ACT, 'SOA_response2_output_string', 'SOA_response2_user_data'),
  e(2, 'Success', 'Success', 2),
];
const noUd =
  rec(ACT, 'SOA_response1_output_string', '') +
  rec(ACT, 'SOA_response2_output_string', '') +
  trailer(2, 'Success');
const noUdRecords = [
  r(ACT, 'SOA_response1_output_string', ''),
  r(ACT, 'SOA_response2_output_string', ''),
  e(2, 'Success', 'Success', 2),
];
const intl = rec(GACT, 'Größe: 3 m² — 日本 🚀', 'job-ä') + trailer(1, 'Success');
const intlRecords = [r(GACT, 'Größe: 3 m² — 日本 🚀', 'job-ä'), e(1, 'Success', 'Success', 1)];
const V = [];
const add = (name, source, bytes, options, expect) =>
  V.push({ name, source, hex: Buffer.concat(bytes).toString('hex'), options, ...expect });
const ok = (records) => ({ records });
const err = (code, offset, records = []) => ({ records, error: { code, offset } });
add(
  'seed layout with user data, UTF-8 as the C client writes it (EF BF BF, 00)',
  'seed 001 + MicrosoftHPC REST-Client-Sample C client',
  [u8(seedText)],
  {},
  ok(seedRecords),
);
add('seed layout without user data, UTF-8', 'seed 001', [u8(noUd)], {}, ok(noUdRecords));
add(
  'zero responses: the trailer alone',
  'seed 001',
  [u8(trailer(0, 'Success'))],
  {},
  ok([e(0, 'Success', 'Success', 0)]),
);
add('UTF-16LE with BOM', '.NET Encoding.Unicode', [BOMLE, le(seedText)], {}, ok(seedRecords));
add(
  'UTF-16LE without BOM (sniffed)',
  '.NET Encoding.Unicode without preamble',
  [le(seedText)],
  {},
  ok(seedRecords),
);
add('UTF-16BE with BOM', 'Encoding.BigEndianUnicode', [BOMBE, be(seedText)], {}, ok(seedRecords));
add(
  'UTF-16BE without BOM (sniffed)',
  'Encoding.BigEndianUnicode without preamble',
  [be(seedText)],
  {},
  ok(seedRecords),
);
add('UTF-8 with BOM', 'StreamWriter with UTF8Encoding(true)', [BOM8, u8(seedText)], {}, ok(seedRecords));
add('non-ASCII output and astral characters, UTF-8', 'synthetic', [u8(intl)], {}, ok(intlRecords));
add('non-ASCII output and astral characters, UTF-16LE', 'synthetic', [le(intl)], {}, ok(intlRecords));
add(
  'contentType charset=utf-16 without BOM picks little-endian',
  'Content-Type header',
  [le(intl)],
  { contentType: 'application/octet-stream; charset=utf-16' },
  ok(intlRecords),
);
add(
  'contentType charset=unicodeFFFE picks big-endian',
  '.NET charset name',
  [be(intl)],
  { contentType: 'text/plain; charset="unicodeFFFE"' },
  ok(intlRecords),
);
add('explicit encoding utf-16be', 'option', [be(noUd)], { encoding: 'utf-16be' }, ok(noUdRecords));
add(
  'reason written as its number',
  'EndOfResponsesReason enum value',
  [u8(rec(GACT, '1', '') + trailer(1, '2'))],
  {},
  ok([r(GACT, '1', ''), e(1, 'ClientTimeout', '2', 1)]),
);
add(
  'reason ClientPurged with fewer responses than asked',
  'EndOfResponsesReason',
  [u8(trailer(0, 'ClientPurged'))],
  {},
  ok([e(0, 'ClientPurged', 'ClientPurged', 0)]),
);
add(
  'lone surrogate kept by default (UTF-16LE)',
  '.NET string with an unpaired surrogate',
  [le(rec(GACT, 'a\ud800b', '') + trailer(1, 'Success'))],
  {},
  ok([r(GACT, 'a\ud800b', ''), e(1, 'Success', 'Success', 1)]),
);
const trunc = u8(rec(ACT, 'one', 'u'));
add(
  'ends before the trailer',
  'Java sample stops one record short',
  [trunc],
  {},
  err('TRUNCATED', trunc.length, [r(ACT, 'one', 'u')]),
);
const mid = u8(`${rec(ACT, 'one', 'u') + ACT + SEP}tw`);
add('ends inside a record', 'cut connection', [mid], {}, err('TRUNCATED', mid.length, [r(ACT, 'one', 'u')]));
add(
  'UTF-16LE ends on a dangling byte',
  'cut connection',
  [le(rec(GACT, 'x', '')), Buffer.from([0x68])],
  {},
  err('TRUNCATED', le(rec(GACT, 'x', '')).length, [r(GACT, 'x', '')]),
);
add(
  'two fields',
  'malformed',
  [u8(`${ACT + SEP}out${END}${trailer(0, 'Success')}`)],
  {},
  err('MALFORMED_RECORD', u8(`${ACT + SEP}out`).length),
);
add(
  'four fields',
  'malformed',
  [u8(`${ACT + SEP}o${SEP}u${SEP}x${END}`)],
  {},
  err('MALFORMED_RECORD', u8(`${ACT + SEP}o${SEP}u`).length),
);
add(
  'trailer count is negative',
  'malformed',
  [u8(trailer('-1', 'Success'))],
  {},
  err('MALFORMED_RECORD', u8(EOR + SEP).length),
);
add(
  'trailer count is not a number',
  'malformed',
  [u8(rec(GACT, 'x', '') + trailer('two', 'Success'))],
  {},
  err('MALFORMED_RECORD', u8(rec(GACT, 'x', '') + EOR + SEP).length, [r(GACT, 'x', '')]),
);
add(
  'count mismatch',
  'verifyCount',
  [u8(rec(GACT, 'x', '') + trailer(2, 'Success'))],
  {},
  err('COUNT_MISMATCH', u8(rec(GACT, 'x', '') + EOR + SEP).length, [r(GACT, 'x', '')]),
);
add(
  'count mismatch accepted when verifyCount is false',
  'verifyCount',
  [u8(rec(GACT, 'x', '') + trailer(2, 'Success'))],
  { verifyCount: false },
  ok([r(GACT, 'x', ''), e(2, 'Success', 'Success', 1)]),
);
add(
  'trailing data after the trailer',
  'malformed',
  [u8(`${trailer(0, 'Success')}x`)],
  {},
  err('TRAILING_DATA', u8(trailer(0, 'Success')).length, [e(0, 'Success', 'Success', 0)]),
);
add(
  'overlong UTF-8 (C0 80) is invalid, not U+0000',
  'hostile',
  [u8(`${GACT + SEP}a`), Buffer.from([0xc0, 0x80]), u8(SEP + END + trailer(1, 'Success'))],
  {},
  err('INVALID_ENCODING', u8(`${GACT + SEP}a`).length),
);
add(
  'UTF-8-encoded surrogate (ED A0 80) is invalid',
  'hostile',
  [u8(rec(GACT, 'ok', '') + GACT + SEP), Buffer.from([0xed, 0xa0, 0x80]), u8(SEP + END)],
  {},
  err('INVALID_ENCODING', u8(rec(GACT, 'ok', '') + GACT + SEP).length, [r(GACT, 'ok', '')]),
);
add(
  'lone surrogate refused when loneSurrogates is error',
  'option',
  [le(rec(GACT, 'a\udc00', '') + trailer(1, 'Success'))],
  { loneSurrogates: 'error' },
  err('INVALID_ENCODING', le(`${GACT + SEP}a`).length),
);
add(
  'record larger than maxRecordBytes',
  'limit',
  [u8(rec(GACT, 'x'.repeat(100), '') + trailer(1, 'Success'))],
  { maxRecordBytes: 64 },
  err('LIMIT_EXCEEDED', 64),
);
fs.writeFileSync('test/vectors/generic/responses.json', `${JSON.stringify(V, null, 2)}\n`);
const R = [];
const addR = (name, bytes, options, expect) =>
  R.push({ name, hex: Buffer.concat(bytes).toString('hex'), options, ...expect });
const q = (input, userData) => ({ input, userData });
addR(
  'C client form: input EF BF BF userData 00',
  [u8(`compute 1${SEP}u1${END}compute 2${SEP}${END}`)],
  {},
  { records: [q('compute 1', 'u1'), q('compute 2', '')] },
);
addR('UTF-16LE with BOM', [BOMLE, le(`in${SEP}ud${END}`)], {}, { records: [q('in', 'ud')] });
addR('empty body', [], {}, { records: [] });
addR('one field', [u8(`in${END}`)], {}, { records: [], error: { code: 'MALFORMED_RECORD', offset: 2 } });
addR(
  'three fields',
  [u8(`in${SEP}a${SEP}b${END}`)],
  {},
  { records: [], error: { code: 'MALFORMED_RECORD', offset: u8(`in${SEP}a`).length } },
);
addR(
  'ends inside a record',
  [u8(`in${SEP}u${END}x`)],
  {},
  { records: [q('in', 'u')], error: { code: 'TRUNCATED', offset: u8(`in${SEP}u${END}x`).length } },
);
fs.writeFileSync('test/vectors/generic/requests.json', `${JSON.stringify(R, null, 2)}\n`);
console.log(V.length, R.length);
