import { faultBody, fc, hpcFaultXmlBody, mutate, soapFaultEnvelopeBody } from 'batchwire/arbitraries';
import { formatDotNet, parseFault, type ServiceFault } from 'batchwire/faults';
import { describe, expect, it } from 'vitest';

const SERVICES = new Set(['hpc-pack', 'azure-batch', 'dli', 'soap', 'unknown']);

function sane(fault: ServiceFault): void {
  expect(SERVICES.has(fault.service)).toBe(true);
  expect(typeof fault.code).toBe('string');
  expect(typeof fault.message).toBe('string');
  expect(typeof fault.formatted).toBe('string');
  expect(typeof fault.retriable).toBe('boolean');
  expect(Array.isArray(fault.values)).toBe(true);
  for (const v of fault.values) {
    expect(typeof v.key).toBe('string');
    expect(typeof v.value).toBe('string');
  }
  expect(Object.getPrototypeOf(fault)).toBe(Object.prototype);
}

function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

describe('parseFault properties', () => {
  it('recovers service, code, message and values of every generated fault body', () => {
    fc.assert(
      fc.property(faultBody(), fc.boolean(), (sample, bytes) => {
        const body = bytes ? new TextEncoder().encode(sample.body) : sample.body;
        const fault = parseFault({ status: sample.status, contentType: sample.contentType, body });
        expect(fault.service).toBe(sample.expected.service);
        expect(fault.code).toBe(sample.expected.code);
        expect(fault.message).toBe(sample.expected.message);
        expect(fault.values).toEqual(sample.expected.values);
        expect(fault.status).toBe(sample.status);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random bytes, strings, JSON or mutated fault bodies', () => {
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      mutate(
        'xml',
        fc.oneof(hpcFaultXmlBody(), soapFaultEnvelopeBody()).map((s) => new TextEncoder().encode(s.body)),
      ).map((m) => m.bytes),
      mutate(
        'json',
        faultBody().map((s) => new TextEncoder().encode(s.body)),
        { depth: 5000 },
      ).map((m) => m.bytes),
      fc.constantFrom('<', '{', '<a:b/>', '<x xmlns:i="u" i:nil="1"/>', '{"Code":{}}', '\uFEFF{"code":1}'),
    );
    fc.assert(
      fc.property(
        inputs,
        fc.option(fc.constantFrom('application/json', 'text/xml; charset=utf-16', 'x;;charset')),
        (body, contentType) => {
          const text = typeof body === 'string' || body instanceof Uint8Array ? body : String(body);
          sane(parseFault(contentType === null ? { body: text } : { body: text, contentType }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('JSON keys __proto__, constructor and prototype pollute nothing', () => {
    const before = prototypeSnapshot();
    const hostile = fc.constantFrom(
      '{"__proto__":{"polluted":true},"code":"X","message":{"__proto__":{"polluted":true},"value":"m"}}',
      '{"constructor":{"prototype":{"polluted":true}},"Code":1,"Message":"m","Values":[{"__proto__":{"polluted":1},"key":"k","value":"v"}]}',
      '{"error_code":"DLI.0001","error_msg":"m","__proto__":{"polluted":1},"prototype":{"polluted":1}}',
      '{"error":{"code":"C","__proto__":{"polluted":true}},"__proto__":[1]}',
      '{"__proto__":null,"toString":"x","hasOwnProperty":"y","code":"Z"}',
    );
    fc.assert(
      fc.property(hostile, (body) => {
        const fault = parseFault({ status: 400, body });
        sane(fault);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
        if (fault.extra !== undefined) {
          expect(Object.getPrototypeOf(fault.extra)).toBe(null);
        }
      }),
      { numRuns: 50 },
    );
    // A field named __proto__ is data: it is kept, as an ordinary own key.
    const fault = parseFault({ body: '{"__proto__":{"a":1},"code":"X"}' });
    expect(Object.hasOwn(fault.extra ?? {}, '__proto__')).toBe(true);
    expect(fault.code).toBe('X');
    // Missing keys are never looked up on Object.prototype.
    expect(parseFault({ body: '{"Message":"m","Values":[]}' }).service).toBe('unknown');
    expect(parseFault({ body: '{"message":"m"}' }).service).toBe('unknown');
    expect(prototypeSnapshot()).toEqual(before);
  });

  it('formatDotNet never throws and leaves text without braces alone', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.string()), (format, args) => {
        const out = formatDotNet(format, args);
        expect(typeof out).toBe('string');
        if (!format.includes('{') && !format.includes('}')) expect(out).toBe(format);
      }),
      { numRuns: 300 },
    );
  });
});
