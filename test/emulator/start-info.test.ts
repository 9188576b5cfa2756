// Create Session's WebSessionStartInfo in XML: the emulator reads it with batchwire's own XML
// feed, so well-formed variants a real client may send are accepted and anything else is a
// service-shaped 400 (an HpcWebServiceFault ArgumentError naming the body), never a crash.
import { parseFault } from 'batchwire/faults';
import { hpcPack } from 'batchwire/requests';
import { describe, expect, it } from 'vitest';
import { send, useEmulator } from './support.js';

const ctx = useEmulator({ seed: 5 });
const NS = 'http://hpc.microsoft.com/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function createSession(body: string | Uint8Array, contentType?: string): Promise<Response> {
  return send(
    hpcPack.createSession({
      baseUrl: ctx.url,
      body,
      accept: 'application/json',
      ...(contentType === undefined ? {} : { contentType }),
    }),
  );
}

/** The service name the emulator recorded for the session a 201 answer created. */
async function serviceOf(response: Response): Promise<string | undefined> {
  expect(response.status).toBe(201);
  const { Id } = (await response.json()) as { Id: number };
  return ctx.emulator.hpcPack.sessions().find((s) => s.id === Id)?.serviceName;
}

/** The `body` value of a 400 ArgumentError fault. */
async function refusal(response: Response): Promise<string> {
  expect(response.status).toBe(400);
  const fault = await parseFault({ status: 400, headers: response.headers, body: await response.text() });
  expect(fault.name).toBe('ArgumentError');
  const body = fault.values.find((v) => v.key === 'body');
  expect(body).toBeDefined();
  return body!.value;
}

describe('Create Session reads WebSessionStartInfo XML with the codecs’ feed', () => {
  it('accepts the shapes a .NET client writes: prefixes, nil, a declaration, CDATA, comments, references', async () => {
    const bodies = [
      `<WebSessionStartInfo xmlns="${NS}" xmlns:i="${XSI}"><Password i:nil="true"/><ServiceName>Echo</ServiceName></WebSessionStartInfo>`,
      `<?xml version="1.0" encoding="utf-8"?><h:WebSessionStartInfo xmlns:h="${NS}"><h:ServiceName>Echo</h:ServiceName></h:WebSessionStartInfo>`,
      `<WebSessionStartInfo xmlns="${NS}"><!-- c --><ServiceName><![CDATA[Echo]]></ServiceName><?pi x?></WebSessionStartInfo>`,
      `<WebSessionStartInfo xmlns="${NS}"><ServiceName>&#x45;cho</ServiceName></WebSessionStartInfo>`,
    ];
    for (const body of bodies) expect(await serviceOf(await createSession(body))).toBe('Echo');
  });

  it('decodes UTF-16 by its byte order mark and by the charset', async () => {
    const xml = `<WebSessionStartInfo xmlns="${NS}"><ServiceName>Echo</ServiceName></WebSessionStartInfo>`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    expect(await serviceOf(await createSession(new Uint8Array(le)))).toBe('Echo');
    const bare = new Uint8Array(Buffer.from(xml, 'utf16le'));
    expect(await serviceOf(await createSession(bare, 'application/xml; charset=utf-16le'))).toBe('Echo');
  });

  it('keeps a field’s text exactly: references resolved, spaces and line ends as XML reads them', async () => {
    const body = `<WebSessionStartInfo xmlns="${NS}"><ServiceName> a&amp;b&lt;c\r\nd </ServiceName></WebSessionStartInfo>`;
    expect(await serviceOf(await createSession(body))).toBe(' a&b<c\nd ');
  });

  it.each([
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a "b">]><WebSessionStartInfo/>`, /DOCTYPE_FORBIDDEN/],
    [
      'an HTML entity',
      `<WebSessionStartInfo><ServiceName>&nbsp;</ServiceName></WebSessionStartInfo>`,
      /&nbsp;.*XML_SYNTAX, line 1, column/,
    ],
    [
      'an unbound prefix',
      `<p:WebSessionStartInfo><ServiceName>x</ServiceName></p:WebSessionStartInfo>`,
      /unbound namespace prefix "p".*XML_SYNTAX/,
    ],
    ['mismatched tags', `<WebSessionStartInfo><ServiceName>x</Service></WebSessionStartInfo>`, /XML_SYNTAX/],
    [
      'a duplicate attribute',
      `<WebSessionStartInfo a="1" a="2"><ServiceName>x</ServiceName></WebSessionStartInfo>`,
      /XML_SYNTAX/,
    ],
    ['a cut document', `<WebSessionStartInfo><ServiceName>x</ServiceName>`, /TRUNCATED/],
    [
      'text after the root',
      `<WebSessionStartInfo><ServiceName>x</ServiceName></WebSessionStartInfo>junk`,
      /XML_SYNTAX/,
    ],
    [
      'a C0 control',
      `<WebSessionStartInfo><ServiceName>x\u0001</ServiceName></WebSessionStartInfo>`,
      /U\+0001.*XML_SYNTAX/,
    ],
    [
      'nesting deeper than 32',
      `<WebSessionStartInfo>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</WebSessionStartInfo>`,
      /maxDepth \(32\).*LIMIT_EXCEEDED/,
    ],
    [
      'more than 256 fields',
      `<WebSessionStartInfo>${Array.from({ length: 300 }, (_, i) => `<F${i}/>`).join('')}</WebSessionStartInfo>`,
      /more than 256 fields.*LIMIT_EXCEEDED/,
    ],
    [
      'another root element',
      `<WebSessionInfo xmlns="${NS}"><ServiceName>x</ServiceName></WebSessionInfo>`,
      /expected WebSessionStartInfo, got WebSessionInfo/,
    ],
  ])('refuses %s with a 400 ArgumentError', async (_what, body, reason) => {
    expect(await refusal(await createSession(body))).toMatch(reason);
  });

  it('refuses bytes that are not UTF-8 (INVALID_ENCODING) and an encoding it does not read', async () => {
    const bytes = new Uint8Array([
      ...Buffer.from('<WebSessionStartInfo><ServiceName>'),
      0xc3,
      0x28,
      ...Buffer.from('</ServiceName></WebSessionStartInfo>'),
    ]);
    expect(await refusal(await createSession(bytes))).toMatch(/INVALID_ENCODING/);
    const latin = new Uint8Array(
      Buffer.from(
        '<?xml version="1.0" encoding="iso-8859-1"?><WebSessionStartInfo><ServiceName>x</ServiceName></WebSessionStartInfo>',
      ),
    );
    expect(await refusal(await createSession(latin))).toMatch(/INVALID_ENCODING/);
  });
});
