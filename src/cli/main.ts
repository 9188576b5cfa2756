import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchCommand } from './bench.js';
import { demoCommand } from './demo.js';
import { decodeDliStateCommand, decodeFaultCommand, decodeJobPrepPageCommand } from './faults.js';
import { genCommand } from './gen.js';
import { decodeGenericCommand } from './generic.js';
import { type Command, reportError, UsageError } from './io.js';
import { filterCommand } from './odata.js';
import { decodeSoapCommand, decodeStatusCommand } from './soap.js';

/** `batchwire decode <format>`: one decoder per wire format. */
export const decoders: Record<string, Command> = {
  generic: decodeGenericCommand,
  soap: decodeSoapCommand,
  status: decodeStatusCommand,
  fault: decodeFaultCommand,
  'dli-state': decodeDliStateCommand,
  'jobprep-page': decodeJobPrepPageCommand,
};

/** Top-level commands other than `decode`. */
export const commands: Record<string, Command> = {
  filter: filterCommand,
  demo: demoCommand,
  gen: genCommand,
  bench: benchCommand,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function mainUsage(): string {
  const decodeLines = Object.entries(decoders).map(([name, c]) => `  decode ${name.padEnd(14)} ${c.summary}`);
  const otherLines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(21)} ${c.summary}`);
  return `Usage: batchwire <command> [arguments] [--help]

Commands:
${[...decodeLines, ...otherLines].join('\n')}

Run "batchwire <command> --help" for a command's options.
`;
}

async function runCommand(command: Command, argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help === true) {
    process.stdout.write(command.usage);
    return 0;
  }
  return command.run({
    args: parsed.positionals,
    options: parsed.values as Record<string, string | boolean | undefined>,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}

/** Runs the CLI on `argv` (without the node and script paths) and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      process.stdout.write(mainUsage());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-v') {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    if (first === 'decode') {
      if (second === undefined || second === '--help' || second === '-h') {
        process.stdout.write(mainUsage());
        return second === undefined ? 2 : 0;
      }
      const decoder = decoders[second];
      if (!decoder)
        throw new UsageError(
          `unknown format ${JSON.stringify(second)}; formats: ${Object.keys(decoders).join(', ')}`,
        );
      return await runCommand(decoder, rest);
    }
    const command = commands[first];
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(first)}; run "batchwire --help"`);
    return await runCommand(command, second === undefined ? rest : [second, ...rest]);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`batchwire: ${error.message}\n`);
      return 2;
    }
    reportError(error, process.stderr);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    reportError(error, process.stderr);
    process.exitCode = 1;
  },
);
