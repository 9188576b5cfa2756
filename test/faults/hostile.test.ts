// Issue 12, finding 1: `formatted` is bounded whatever the placeholders do, and parseFault never
// throws, also for options of the wrong type (finding 4).
import {
  FORMAT_ELLIPSIS,
  formatDotNet,
  hpcFaultInfo,
  isRetriableStatus,
  parseFault,
  parseRetryAfter,
  type ServiceFault,
} from 'batchwire/faults';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

const HPC_NS = 'http://schemas.microsoft.com/HPCS2008R2/common';
const bound = (body: string) => 2 * body.length + 1024;

function hpcJson(message: string, value: string): string {
  return JSON.stringify({ Code: 1, Message: message, Values: [{ key: 'k', value }] });
}

function hpcXml(message: string, value: string): string {
  return (
    `<HpcWebServiceFault xmlns="${HPC_NS}" xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays">` +
    `<Code>1</Code><Message>${message}</Message>` +
    `<Values><a:KeyValueOfstringstring><a:Key>k</a:Key><a:Value>${value}</a:Value></a:KeyValueOfstringstring></Values>` +
    '</HpcWebServiceFault>'
  );
}

function soapDetail(message: string, value: string): string {
  return (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>' +
    '<s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">r</s:Text></s:Reason>' +
    `<s:Detail>${hpcXml(message, value)}</s:Detail></s:Fault></s:Body></s:Envelope>`
  );
}

function expectBounded(fault: ServiceFault, body: string): void {
  expect(fault.formatted.length).toBeLessThanOrEqual(bound(body));
  expect(fault.formatted.endsWith(FORMAT_ELLIPSIS)).toBe(true);
}

describe('parseFault: formatted is bounded (finding 1)', () => {
  it("the issue's reproducer: {0} x 200 000 with a 10 000-character value", () => {
    const body = JSON.stringify({
      Code: 1,
      Message: '{0}'.repeat(200000),
      Values: [{ key: 'k', value: 'v'.repeat(10000) }],
    });
    const fault = parseFault({ body });
    expect(fault.service).toBe('hpc-pack');
    expectBounded(fault, body);
    // The cut is at the bound, not at some arbitrary small size.
    expect(fault.formatted.length).toBeGreaterThan(body.length);
    expect(fault.formatted.startsWith('v'.repeat(10000))).toBe(true);
  });

  it('a 32 KB body cannot make 64 M characters', () => {
    const body = hpcJson('{0}'.repeat(8000), 'v'.repeat(8000));
    expect(body.length).toBeLessThan(33_000);
    expectBounded(parseFault({ body }), body);
  });

  it('{0,1024} repeated pads within the bound', () => {
    const body = hpcJson('{0,1024}'.repeat(4000), 'v');
    const fault = parseFault({ body });
    expectBounded(fault, body);
    expect(fault.formatted.startsWith(`${' '.repeat(1023)}v`)).toBe(true);
    const leftBody = hpcJson('{0,-1024}'.repeat(4000), 'v');
    const left = parseFault({ body: leftBody });
    expectBounded(left, leftBody);
    expect(left.formatted.startsWith(`v${' '.repeat(1023)}v`)).toBe(true);
  });

  it('the same bound on XML HpcWebServiceFault and SOAP fault details', () => {
    for (const body of [
      hpcXml('{0}'.repeat(20000), 'v'.repeat(5000)),
      soapDetail('{0}'.repeat(20000), 'v'.repeat(5000)),
      hpcXml('{0,1024}'.repeat(5000), 'v'),
    ]) {
      const fault = parseFault({ body });
      expect(fault.service === 'hpc-pack' || fault.service === 'soap').toBe(true);
      expectBounded(fault, body);
    }
  });

  it('DLI and Azure Batch messages come through unchanged (they have no placeholders to fill)', () => {
    const message = '{0}'.repeat(1000);
    const dli = parseFault({ body: JSON.stringify({ error_code: 'DLI.0001', error_msg: message }) });
    expect(dli.formatted).toBe(message);
    const batch = parseFault({
      body: JSON.stringify({
        code: 'X',
        message: { value: message },
        values: [{ key: 'k', value: 'v'.repeat(1000) }],
      }),
    });
    expect(batch.formatted).toBe(message);
  });

  it('real messages are filled exactly, alignment included', () => {
    const body = JSON.stringify({
      Code: 50331649,
      Message: 'Session {0} not found ({1,5}|{1,-5}|{{x}})',
      Values: [
        { key: 'id', value: '42' },
        { key: 'n', value: 'ab' },
      ],
    });
    expect(parseFault({ body }).formatted).toBe('Session 42 not found (   ab|ab   |{x})');
  });
});

describe('parseFault never throws on options either', () => {
  const body = JSON.stringify({ code: 'ServerBusy', message: 'busy' });
  const throwing = Object.defineProperty({}, 'now', {
    get() {
      throw new Error('boom');
    },
  });
  for (const [what, options] of [
    ['null', null],
    ['a number', 5],
    ['a string', 'x'],
    ['an array', []],
    ['wrong-typed values', { now: 'x', maxBytes: 'y', maxTextLength: {} }],
    ['NaN values', { now: Number.NaN, maxBytes: Number.NaN, maxTextLength: Number.NaN }],
    ['a getter that throws', throwing],
  ] as const) {
    it(`options ${what}: the defaults apply`, () => {
      const fault = parseFault({ status: 503, headers: { 'retry-after': '2' }, body }, options as never);
      expect(fault).toMatchObject({
        service: 'azure-batch',
        code: 'ServerBusy',
        retriable: true,
        retryAfterMs: 2000,
      });
    });
  }

  it('a response of any type is an unknown fault', () => {
    for (const response of [
      null,
      undefined,
      5,
      'x',
      [],
      { body: 5 },
      { body: null },
      { body: Symbol('s') },
    ]) {
      expect((parseFault(response as never) as unknown as { service: string }).service).toBe('unknown');
    }
  });
});

describe('formatDotNet', () => {
  it('maxLength cuts with the marker and never splits a surrogate pair', () => {
    expect(formatDotNet('{0}{0}{0}', ['abc'], { maxLength: 5 })).toBe(`abca${FORMAT_ELLIPSIS}`);
    expect(formatDotNet('{0}{0}', ['abc'], { maxLength: 6 })).toBe('abcabc');
    expect(formatDotNet('x{0}', ['😀😀'], { maxLength: 4 })).toBe(`x😀${FORMAT_ELLIPSIS}`);
    expect(formatDotNet('x{0}', ['😀😀'], { maxLength: 3 })).toBe(`x${FORMAT_ELLIPSIS}`);
    expect(formatDotNet('{0}', ['abc'], { maxLength: 1 })).toBe(FORMAT_ELLIPSIS);
  });

  it('the default bound: twice the format and the distinct arguments used, plus 1024', () => {
    const format = '{0}'.repeat(1000);
    const args = ['x'.repeat(1000), 'unused'.repeat(1000)];
    const out = formatDotNet(format, args);
    expect(out.length).toBe(2 * (format.length + 1000) + 1024);
    expect(out.endsWith(FORMAT_ELLIPSIS)).toBe(true);
  });

  it('refuses arguments of the wrong type with INVALID_ARGUMENT', () => {
    expect(thrownBy(() => formatDotNet(null as never, [])).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => formatDotNet(5 as never, [])).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => formatDotNet('{0}', 'abc' as never)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => formatDotNet('{0}', [5] as never)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => formatDotNet('{0}', [null] as never)).code).toBe('INVALID_ARGUMENT');
    for (const maxLength of ['5', 0, -1, 1.5, Number.NaN]) {
      expect(thrownBy(() => formatDotNet('{0}', ['a'], { maxLength } as never)).code).toBe(
        'INVALID_ARGUMENT',
      );
    }
    expect(thrownBy(() => formatDotNet('{0}', ['a'], 5 as never)).code).toBe('INVALID_ARGUMENT');
    // Arguments it does not use are not looked at; missing arguments are none.
    expect(formatDotNet('{1}', [5, 'b'] as never)).toBe('b');
    expect(formatDotNet('a{0}', undefined as never)).toBe('a{0}');
  });
});

describe('the other fault helpers take any value', () => {
  it('hpcFaultInfo, isRetriableStatus, parseRetryAfter', () => {
    for (const value of [null, undefined, {}, [], Symbol('s'), Number.NaN]) {
      expect(hpcFaultInfo(value as never)).toEqual({});
      expect(isRetriableStatus(value as never)).toBe(false);
      expect(parseRetryAfter(value as never)).toBeUndefined();
    }
    expect(hpcFaultInfo(33554447)).toEqual({ category: 'SessionError', name: 'BrokerNotActive' });
    // A status given as text is not a status: JavaScript's '503' >= 500 must not decide.
    expect(isRetriableStatus('503' as never)).toBe(false);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', 'x' as never)).toBe(0);
  });
});
