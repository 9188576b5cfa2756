// Exotic but legal arguments (issue 21, section 3), as unit tests beside the misuse fuzzer's sweep:
// bytes are read by what they are, not by what their methods or prototypes say.
import { isBatchwireError, isBatchwireServiceError } from 'batchwire';
import { parseFault } from 'batchwire/faults';
import {
  decodeGenericBody,
  decodeGenericRequests,
  encodeGenericRequests,
  GenericRequestDecoder,
} from 'batchwire/generic';
import { evaluateFilter, parseFilter } from 'batchwire/odata';
import { hpcPack } from 'batchwire/requests';
import { parseDliBatchState } from 'batchwire/status';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../support/errors.js';

class Untrusting extends Uint8Array {
  static get [Symbol.species](): Uint8ArrayConstructor {
    throw new Error('species');
  }
  override subarray(): Uint8Array<ArrayBuffer> {
    throw new Error('subarray');
  }
  override slice(): Uint8Array<ArrayBuffer> {
    throw new Error('slice');
  }
}

/** A subclass whose `subarray` lies: it hands back the whole array, byte order mark included. */
class Lying extends Uint8Array {
  override subarray(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.buffer as ArrayBuffer, this.byteOffset, this.byteLength);
  }
}

function revoked<T extends object>(target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
}

const requests = [{ input: 'größer', userData: 'u' }];

describe('a Uint8Array subclass is read by its bytes', () => {
  for (const Kind of [Untrusting, Lying]) {
    it(`${Kind.name}: the byte order mark is a mark, not text`, async () => {
      const body = encodeGenericRequests(requests, { encoding: 'utf-16le', bom: true });
      const bytes = new Kind(body.length);
      Uint8Array.prototype.set.call(bytes, body);
      expect([...new GenericRequestDecoder().write(bytes)]).toEqual(requests);
      const all = [];
      for await (const r of decodeGenericRequests(bytes)) all.push(r);
      expect(all).toEqual(requests);
    });
  }

  it('status parsers and parseFault too', () => {
    const text = new TextEncoder().encode('\ufeff{"id":"a","state":"Success"}');
    const bytes = new Untrusting(text.length);
    Uint8Array.prototype.set.call(bytes, text);
    expect(parseDliBatchState(bytes)).toMatchObject({ id: 'a', state: 'success' });
    expect(parseFault({ status: 400, body: bytes }).service).toBe('unknown');
  });
});

describe('shared memory, detached buffers, fakes', () => {
  it('a view over a SharedArrayBuffer decodes as a copy of its bytes', () => {
    const body = encodeGenericRequests(requests, { encoding: 'utf-8' });
    const shared = new Uint8Array(new SharedArrayBuffer(body.length + 3), 1, body.length);
    shared.set(body);
    expect(new GenericRequestDecoder().write(shared)).toEqual(requests);
    expect(new GenericRequestDecoder().write(new DataView(shared.buffer, 1, body.length))).toEqual(requests);
    const request = hpcPack.sendRequests({
      baseUrl: 'https://h',
      sessionId: 1,
      batchName: 'b',
      body: shared,
    });
    expect(request.body).toBeInstanceOf(Uint8Array);
    expect((request.body as Uint8Array).buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('a view over a detached buffer is INVALID_ARGUMENT everywhere', () => {
    const buffer = new ArrayBuffer(8);
    const view = new Uint8Array(buffer, 2, 4);
    const dataView = new DataView(buffer);
    detach(buffer);
    expect(thrownBy(() => decodeGenericBody(view)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => new GenericRequestDecoder().write(dataView)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => parseDliBatchState(view)).code).toBe('INVALID_ARGUMENT');
  });

  it('objects that only pass instanceof are not bytes', () => {
    const fake = Object.create(Uint8Array.prototype) as Uint8Array;
    expect(thrownBy(() => decodeGenericBody(fake)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => decodeGenericBody(Object.create(ArrayBuffer.prototype))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('proxies', () => {
  it('a revoked proxy as options, input or AST is INVALID_ARGUMENT', () => {
    expect(thrownBy(() => new GenericRequestDecoder(revoked({}))).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => decodeGenericBody(revoked(new Uint8Array(2)))).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => evaluateFilter(revoked(parseFilter('a eq 1')), {})).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => hpcPack.getClusters(revoked({ baseUrl: 'https://h' }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    const headers = revoked({});
    expect(thrownBy(() => hpcPack.getClusters({ baseUrl: 'https://h', headers })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('a proxy whose traps throw is INVALID_ARGUMENT, the trap’s error its cause', () => {
    const boom = new Error('trap');
    const hostile = new Proxy(
      {},
      {
        get() {
          throw boom;
        },
        has() {
          throw boom;
        },
        ownKeys() {
          throw boom;
        },
        getPrototypeOf() {
          throw boom;
        },
      },
    );
    const error = thrownBy(() => new GenericRequestDecoder({ encoding: hostile } as object));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => new GenericRequestDecoder(hostile as object)).code).toBe('INVALID_ARGUMENT');
    expect(thrownBy(() => decodeGenericRequests('x', { signal: hostile } as object)).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('the guards never throw, whatever they are given', () => {
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
        getOwnPropertyDescriptor() {
          throw new Error('descriptor');
        },
      },
    );
    for (const value of [revoked({}), revoked(() => 0), throwing, Object.create(Error.prototype), null, 1]) {
      expect(isBatchwireError(value)).toBe(false);
      expect(isBatchwireServiceError(value)).toBe(false);
    }
  });
});
