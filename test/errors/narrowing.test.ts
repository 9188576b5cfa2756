import {
  BatchwireError,
  BatchwireServiceError,
  decodeGenericBody,
  isBatchwireError,
  isBatchwireServiceError,
  parseFault,
  type ServiceFault,
} from 'batchwire';
import { describe, expect, expectTypeOf, it } from 'vitest';

const fault = parseFault({ status: 503, headers: { 'retry-after': '2' }, body: '{"code":"ServerBusy"}' });

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('BatchwireError narrows on code', () => {
  it('code SERVICE_FAULT gives a typed fault, other codes have none', () => {
    const error: unknown = caught(() => {
      throw new BatchwireServiceError(fault);
    });
    if (!isBatchwireError(error)) throw new Error('not a BatchwireError');
    if (error.code === 'SERVICE_FAULT') {
      expectTypeOf(error.fault).toEqualTypeOf<ServiceFault>();
      expect(error.fault.code).toBe('ServerBusy');
      expect(error.status).toBe(503);
      expect(error.retryAfterMs).toBe(2000);
    } else {
      expectTypeOf(error.fault).toEqualTypeOf<undefined>();
      throw new Error('expected SERVICE_FAULT');
    }
  });

  it('a codec error is a BatchwireError whose fault is undefined', () => {
    const error = caught(() => decodeGenericBody('x'));
    expect(error).toBeInstanceOf(BatchwireError);
    if (!(error instanceof BatchwireError)) return;
    expectTypeOf(error).toEqualTypeOf<BatchwireError>();
    expect(error.code).toBe('TRUNCATED');
    expect(error.fault).toBeUndefined();
    expect(isBatchwireServiceError(error)).toBe(false);
    expect(error instanceof BatchwireServiceError).toBe(false);
  });

  it('isBatchwireServiceError and instanceof recognise a service error', () => {
    const error: unknown = new BatchwireServiceError(fault);
    expect(isBatchwireServiceError(error)).toBe(true);
    expect(error instanceof BatchwireServiceError).toBe(true);
    expect(error instanceof BatchwireError).toBe(true);
    expect(error instanceof Error).toBe(true);
    if (isBatchwireServiceError(error)) expectTypeOf(error.fault).toEqualTypeOf<ServiceFault>();
  });

  it('the guards reject look-alikes', () => {
    for (const value of [
      null,
      undefined,
      'SERVICE_FAULT',
      { code: 'SERVICE_FAULT', fault },
      new Error('x'),
      Object.assign(new Error('x'), { code: 'TRUNCATED', offset: 0 }),
    ]) {
      expect(isBatchwireError(value)).toBe(false);
      expect(isBatchwireServiceError(value)).toBe(false);
      expect(value instanceof BatchwireError).toBe(false);
      expect(value instanceof BatchwireServiceError).toBe(false);
    }
  });

  it('a subclass of BatchwireServiceError keeps ordinary instanceof semantics', () => {
    class MyFault extends BatchwireServiceError {}
    const mine = new MyFault(fault);
    expect(mine instanceof MyFault).toBe(true);
    expect(new BatchwireServiceError(fault) instanceof MyFault).toBe(false);
    expect(mine instanceof BatchwireServiceError).toBe(true);
  });

  it('the constructor is typed: a codec code gives a codec error', () => {
    const error = new BatchwireError('TRUNCATED', 'cut', 3);
    expectTypeOf(error.code).toEqualTypeOf<Exclude<BatchwireError['code'], 'SERVICE_FAULT'>>();
    expect(error.name).toBe('BatchwireError');
    expect(error.toJSON()).toEqual({ name: 'BatchwireError', code: 'TRUNCATED', offset: 3, message: 'cut' });
  });
});

describe('the error constructors take arguments of any type', () => {
  it('BatchwireError never throws another exception while being built', () => {
    const hostile = Object.create(null) as object;
    const throwing = {
      get line(): number {
        throw new Error('getter');
      },
    };
    for (const [code, message, offset, details] of [
      ['TRUNCATED', hostile, Number.NaN, undefined],
      [42, undefined, '3', null],
      ['LIMIT_EXCEEDED', Symbol('s'), 1, throwing],
    ] as const) {
      const error = new BatchwireError(code as never, message as never, offset as never, details as never);
      expect(isBatchwireError(error)).toBe(true);
      expect(typeof error.message).toBe('string');
      expect(Number.isFinite(error.offset)).toBe(true);
    }
  });

  it('BatchwireServiceError refuses what is not a ServiceFault with INVALID_ARGUMENT', () => {
    for (const bad of [undefined, 'ServerBusy', 5, {}, { service: 'unknown' }]) {
      const error = caught(() => new BatchwireServiceError(bad as never));
      expect(error).toBeInstanceOf(BatchwireError);
      expect((error as BatchwireError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('BatchwireServiceError as data', () => {
  it('status and retryAfterMs are own properties, and toJSON carries the fault', () => {
    const error = new BatchwireServiceError(fault);
    expect(error).toMatchObject({ code: 'SERVICE_FAULT', status: 503, retryAfterMs: 2000 });
    expect(Object.keys(error)).toEqual(expect.arrayContaining(['status', 'retryAfterMs', 'fault']));
    const json = JSON.parse(JSON.stringify(error)) as { code: string; fault: { code: string } };
    expect(json.code).toBe('SERVICE_FAULT');
    expect(json.fault.code).toBe('ServerBusy');
  });
});
