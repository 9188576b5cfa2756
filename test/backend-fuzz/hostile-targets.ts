// Hostile targets as small node:http servers: each does one thing a broken or malicious backend
// does, for the tests that hold the fuzz runner bounded whatever the target does.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backend } from './backends.js';

/** A node:http server with `handle` as its handler, on a loopback port. */
export async function target(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Backend> {
  const server = createServer((req, res) => {
    req.resume();
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every answer a DLI error with a code never used before and a fresh body of `bytes` bytes. */
export function freshErrors(bytes: number): Promise<Backend> {
  let n = 0;
  return target((_req, res) => {
    const code = `DLI.${String(++n).padStart(6, '0')}`;
    const head = `{"error_code":"${code}","error_msg":"`;
    const body = Buffer.alloc(bytes, 0x61);
    body.write(head, 0, 'latin1');
    body.write('"}', bytes - 2, 'latin1');
    res.writeHead(400, { 'content-type': 'application/json', 'content-length': bytes });
    res.end(body);
  });
}

/** Every answer a 503 with `Retry-After: 2.9`. */
export function alwaysBusy(): Promise<Backend> {
  return target((_req, res) => {
    res.writeHead(503, { 'retry-after': '2.9', 'content-type': 'application/json' });
    res.end('{"error_code":"DLI.0999","error_msg":"busy"}');
  });
}

/** Never answers (the connection stays open). */
export function silent(): Promise<Backend> {
  return target(() => {});
}

/** Every answer a 500 whose body and headers echo the request's headers (secrets included). */
export function echoHeaders(): Promise<Backend> {
  return target((req, res) => {
    const echoed = JSON.stringify(req.headers);
    res.writeHead(500, {
      'content-type': 'application/json',
      'set-cookie': String(req.headers.cookie ?? 'none'),
      'x-echo-authorization': String(req.headers.authorization ?? ''),
    });
    res.end(JSON.stringify({ error_code: 'DLI.0999', error_msg: `your request: ${echoed}` }));
  });
}
