// Secrets never reach an artifact (issue 23 §3): a run against a target that echoes every header
// into its error bodies and headers writes no secret value into any file, the JUnit, stdout or
// stderr; reproduce.sh reads each from an environment variable it names; replay takes them again.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFuzzCommand } from '../../src/cli/fuzz.js';
import { UsageError } from '../../src/cli/io.js';
import { Transport } from '../../src/fuzz/http.js';
import { Secrets } from '../../src/fuzz/secrets.js';
import { runCommand } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { echoHeaders } from './hostile-targets.js';

const temp = useTempDir('secrets');

const SECRETS = {
  authorization: 'Bearer tok-AUTH-5f2a9c11',
  'proxy-authorization': 'Basic cHJveHk6UFJPWFktc2VjcmV0',
  cookie: 'session=COOKIE-77ab3e; theme=dark',
  'x-auth-token': 'XAUTH-token-4d4d4d',
  'ocp-apim-subscription-key': 'OCPKEY-0c0ffee0',
  'x-tenant-pass': 'TENANT-pass-9e9e9e',
};
/** The values (and the parts a scheme or cookie name prefixes) that must appear nowhere. */
const NEEDLES = [
  'tok-AUTH-5f2a9c11',
  'cHJveHk6UFJPWFktc2VjcmV0',
  'COOKIE-77ab3e',
  'XAUTH-token-4d4d4d',
  'OCPKEY-0c0ffee0',
  'TENANT-pass-9e9e9e',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Every place a needle shows up: file paths, or `stdout`/`stderr`. */
function leaks(texts: Record<string, Buffer | string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    const forms = [Buffer.from(text).toString('latin1'), Buffer.from(text).toString('utf16le')];
    for (const needle of NEEDLES)
      if (forms.some((t) => t.includes(needle))) found.push(`${needle} in ${where}`);
  }
  return found;
}

describe('secrets never reach an artifact', () => {
  it('no secret header value in any file of a run, its JUnit, stdout or stderr; reproduce.sh names the variables', async () => {
    const backend = await echoHeaders();
    const out = temp('out');
    const junit = temp('junit.xml');
    try {
      const header = Object.entries(SECRETS)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\0');
      const run = await runCommand(
        { run: (c) => runFuzzCommand(c), summary: '', usage: '', options: {} },
        [backend.url],
        {
          service: 'dli',
          seed: '4',
          runs: '20',
          out,
          junit,
          header,
          'secret-header': 'X-Tenant-Pass',
        },
      );
      expect(run.code).toBe(1);
      const all = files(out);
      expect(all.length).toBeGreaterThan(3);
      const texts: Record<string, Buffer | string> = {
        stdout: run.stdout,
        stderr: run.stderr,
        junit: readFileSync(junit),
      };
      for (const path of all) texts[path] = readFileSync(path);
      expect(leaks(texts)).toEqual([]);
      // The case names each secret header and its variable; reproduce.sh reads them from there.
      const caseFile = all.find((p) => p.endsWith('case.json'))!;
      const c = JSON.parse(readFileSync(caseFile, 'utf8'));
      expect(c.secretHeaders).toMatchObject({
        authorization: 'BATCHWIRE_HEADER_AUTHORIZATION',
        cookie: 'BATCHWIRE_HEADER_COOKIE',
        'ocp-apim-subscription-key': 'BATCHWIRE_HEADER_OCP_APIM_SUBSCRIPTION_KEY',
        'x-tenant-pass': 'BATCHWIRE_HEADER_X_TENANT_PASS',
      });
      expect(c.requests[0].headers.authorization).toBe('<redacted: set BATCHWIRE_HEADER_AUTHORIZATION>');
      const script = readFileSync(join(caseFile, '..', 'reproduce.sh'), 'utf8');
      expect(script).toContain('"authorization: ${BATCHWIRE_HEADER_AUTHORIZATION:?');
      expect(script).toContain('"x-tenant-pass: ${BATCHWIRE_HEADER_X_TENANT_PASS:?');

      // Replay needs the secrets again: refused without them, taken from the environment.
      const replay = {
        run: (ctx: Parameters<typeof runFuzzCommand>[0]) => runFuzzCommand(ctx),
        summary: '',
        usage: '',
        options: {},
      };
      await expect(runCommand(replay, ['replay', caseFile], {})).rejects.toThrow(UsageError);
      await expect(runCommand(replay, ['replay', caseFile], {})).rejects.toThrow(
        /BATCHWIRE_HEADER_AUTHORIZATION/,
      );
      for (const [name, env] of Object.entries(c.secretHeaders as Record<string, string>))
        process.env[env] = SECRETS[name as keyof typeof SECRETS];
      try {
        const again = await runCommand(replay, ['replay', caseFile], {});
        expect(again.code).toBe(1);
        expect(again.stdout).toMatch(/still fails/);
        expect(leaks({ stdout: again.stdout })).toEqual([]);
      } finally {
        for (const env of Object.values(c.secretHeaders as Record<string, string>)) delete process.env[env];
      }
    } finally {
      await backend.close();
    }
  });

  it('a value a per-request hook adds (a signature) is remembered as sent and scrubbed too', async () => {
    const backend = await echoHeaders();
    const secrets = new Secrets();
    const transport = new Transport({
      requestTimeoutMs: 5000,
      retryBudgetMs: 0,
      maxResponseBytes: 1 << 20,
      rate: Number.POSITIVE_INFINITY,
      secrets,
      // What issue 24's signer does: a fresh Authorization on each request.
      prepare: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: `SharedKey acct:SIG-${request.url.length}-abcdef` },
      }),
    });
    try {
      const { request, result } = await transport.send({
        method: 'GET',
        url: `${backend.url}/v2.0/p/batches`,
        headers: {},
      });
      expect(request.headers.authorization).toMatch(/^SharedKey/);
      const body = Buffer.from(result.body).toString();
      expect(body).toContain('SIG-');
      expect(secrets.scrub(body)).not.toContain('SIG-');
      expect(Buffer.from(secrets.scrubBytes(result.body)).toString()).not.toContain('SIG-');
      expect(secrets.redactHeaders(result.headers)['x-echo-authorization']).not.toContain('SIG-');
    } finally {
      transport.close();
      await backend.close();
    }
  });
});
