import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBatchwireError } from '../core/errors.js';
import {
  type Emulator,
  type EmulatorFixture,
  type EmulatorOptions,
  type FaultRule,
  parseFaultSpec,
  startEmulator,
} from '../emulator/index.js';
import { integerOption } from './args.js';
import { type Command, type CommandContext, UsageError } from './io.js';

const USAGE = `Usage: batchwire serve [--port N] [--host H] [--fixture FILE] [--fault RULE]... [--seed S]
                       [--journal FILE] [--clock real|manual] [--allow-remote] [--control-token T]
                       [--auth FILE] [--tls] [--cert FILE --key FILE] [--ca-out FILE]

Serves a loopback emulator of the HPC Pack SOA Web API, Azure Batch (jobs, tasks, pools,
compute nodes, job preparation/release status) and Huawei DLI batch jobs, all on one base URL.
Prints that URL on one line when ready; serves until SIGINT or SIGTERM, then closes cleanly and
writes the journal if asked.

Options:
  --port N          TCP port (default 0: a free one)
  --host H          address to listen on (default 127.0.0.1; loopback only without --allow-remote)
  --fixture FILE    JSON data to serve: { "azure-batch": { "jobs": [...], "pools": [...] },
                    "dli": { "batches": [...] } } (default: a small built-in data set)
  --fault RULE      a fault rule, repeatable: JSON, or the compact form, e.g.
                      op=getResponses,cut=inside-record:2,times=1
                      service=azure-batch,status=503,fault=ServerBusy,retry-after=3
                      path=/jobs*,delay=200,jitter=50
                      op=getResponses,dribble=7/5
                      reset=mid-body,probability=0.1
  --seed S          seed of every random choice (default 1): same seed, same requests, same faults
  --journal FILE    write the request journal (JSON array) to FILE on shutdown
  --clock MODE      real (default) or manual (moved by POST /_batchwire/clock {"advanceMs": N})
  --allow-remote    allow a --host that is not a loopback address (there is no authentication)
  --control-token T require T on every control request (Authorization: Bearer T); also read
                    from BATCHWIRE_CONTROL_TOKEN
  --auth FILE       credentials each service checks, JSON:
                      { "azure-batch": { "account": "...", "key": "..." },
                        "dli": { "ak": "...", "sk": "..." },
                        "hpc-pack": { "user": "...", "password": "..." } }
                    any value may be { "env": "VAR" } (or "keyEnv"/"skEnv"/"passwordEnv":
                    "VAR") to read it from the environment; "tokens": [...] lists bearer
                    tokens (DLI: X-Auth-Token values) taken too. A request without valid
                    credentials gets the service's answer (Azure Batch 403 AuthenticationFailed,
                    DLI 401 APIG.0301, HPC Pack 401 with WWW-Authenticate: Basic)
  --tls             serve HTTPS with a CA and a certificate for localhost, 127.0.0.1 and ::1
                    made at start; prints NODE_EXTRA_CA_CERTS=PATH (the CA to trust) on the
                    line after the URL
  --cert FILE       serve HTTPS with this PEM certificate (with --key; implies --tls)
  --key FILE        the PEM private key of --cert
  --ca-out FILE     where to write the CA certificate (default: a file in the temporary folder,
                    removed on shutdown)

Control endpoints: GET/POST/DELETE /_batchwire/faults, GET/DELETE /_batchwire/journal,
POST /_batchwire/reset, GET/POST /_batchwire/clock. They take application/json bodies only
(415 otherwise), refuse a foreign Origin and, on loopback, a Host that is not a loopback name (403).

Exit status: 0 after a clean shutdown, 2 for a usage error, a port that cannot be bound
(LISTEN_FAILED) or a journal that cannot be written (WRITE_FAILED).
`;

function faultsOf(value: unknown): FaultRule[] {
  if (value === undefined) return [];
  // Repeated --fault options come joined by NUL (or as a list, from code).
  const specs = Array.isArray(value) ? value : String(value).split('\0');
  return specs.map((spec) => {
    try {
      return parseFaultSpec(String(spec));
    } catch (error) {
      throw new UsageError(`--fault ${JSON.stringify(spec)}: ${(error as Error).message}`);
    }
  });
}

function readText(option: string, path: string | boolean | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string') throw new UsageError(`--${option} needs a file name`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--${option} ${path}: ${(error as Error).message}`);
  }
}

function authOf(path: string | boolean | undefined): unknown {
  const text = readText('auth', path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message may quote the file, and the file holds secrets.
    throw new UsageError(`--auth ${String(path)}: not valid JSON`);
  }
}

function tlsOf(
  options: Record<string, string | boolean | undefined>,
): true | { cert: string; key: string } | undefined {
  const cert = readText('cert', options.cert);
  const key = readText('key', options.key);
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if (cert !== undefined && key !== undefined) return { cert, key };
  return options.tls === true ? true : undefined;
}

function fixtureOf(path: string | boolean | undefined): EmulatorFixture | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string') throw new UsageError('--fixture needs a file name');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--fixture ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as EmulatorFixture;
  } catch (error) {
    throw new UsageError(`--fixture ${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function shutdownSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Runs `serve` until `until` resolves (the command waits for SIGINT/SIGTERM); `onReady` gets the
 * running emulator. Exported for tests.
 */
export async function runServe(
  context: CommandContext,
  until: Promise<void>,
  onReady?: (emulator: Emulator) => void,
): Promise<number> {
  const { options } = context;
  if (context.args.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(context.args[0])}`);
  const clock = options.clock;
  if (clock !== undefined && clock !== 'real' && clock !== 'manual') {
    throw new UsageError(`--clock: expected real or manual, got ${JSON.stringify(clock)}`);
  }
  const journal = options.journal;
  if (journal !== undefined && typeof journal !== 'string')
    throw new UsageError('--journal needs a file name');
  const port = integerOption(options.port, 'port', 0, 65535);
  const seed = integerOption(options.seed, 'seed', -(2 ** 53 - 1), 2 ** 53 - 1);
  const fixture = fixtureOf(options.fixture);
  const faults = faultsOf((options as Record<string, unknown>).fault);
  const token = options['control-token'] ?? process.env.BATCHWIRE_CONTROL_TOKEN;
  if (token !== undefined && (typeof token !== 'string' || token === ''))
    throw new UsageError('--control-token needs a value');
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      port,
      host: typeof options.host === 'string' ? options.host : undefined,
      allowRemote: options['allow-remote'] === true,
      seed,
      fixture,
      clock,
      faults,
      controlToken: token,
      auth: authOf(options.auth) as EmulatorOptions['auth'],
      tls: tlsOf(options),
    });
  } catch (error) {
    if (isBatchwireError(error))
      throw new UsageError(
        error.code === 'INVALID_ARGUMENT' ? error.message : `${error.code}: ${error.message}`,
      );
    throw error;
  }
  context.stdout.write(`${emulator.url}\n`);
  let caFile: string | undefined;
  if (emulator.ca !== undefined) {
    const given = options['ca-out'];
    caFile =
      typeof given === 'string'
        ? given
        : join(tmpdir(), `batchwire-emulator-${new URL(emulator.url).port}-ca.pem`);
    try {
      writeFileSync(caFile, emulator.ca);
    } catch (error) {
      await emulator.close();
      throw new UsageError(
        `WRITE_FAILED: cannot write the CA certificate ${JSON.stringify(caFile)}: ${(error as Error).message}`,
      );
    }
    context.stdout.write(`NODE_EXTRA_CA_CERTS=${caFile}\n`);
  }
  onReady?.(emulator);
  await until;
  await emulator.close();
  if (caFile !== undefined && typeof options['ca-out'] !== 'string') rmSync(caFile, { force: true });
  if (journal !== undefined) {
    try {
      writeFileSync(journal, `${JSON.stringify(emulator.journal.entries(), null, 2)}\n`);
    } catch (error) {
      throw new UsageError(
        `WRITE_FAILED: cannot write the journal ${JSON.stringify(journal)}: ${(error as Error).message}`,
      );
    }
  }
  return 0;
}

/** `batchwire serve`: the loopback emulator of the three services. */
export const serveCommand: Command = {
  summary: 'serve a loopback emulator of HPC Pack SOA, Azure Batch and DLI with fault injection',
  usage: USAGE,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    fixture: { type: 'string' },
    fault: { type: 'string', multiple: true },
    seed: { type: 'string' },
    journal: { type: 'string' },
    clock: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    'control-token': { type: 'string' },
    auth: { type: 'string' },
    tls: { type: 'boolean' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'ca-out': { type: 'string' },
  },
  run: (context) => runServe(context, shutdownSignal()),
};
