import { readFileSync } from 'node:fs';
import { closest, parseCommandLine } from './args.js';
import { commands, decoders } from './commands.js';
import { type Command, reportError, UsageError } from './io.js';

export { commands, decoders };

/**
 * batchwire's version, from its package.json: one folder up from the built `dist/cli.js`, two
 * from `src/cli/main.ts` when run from source (tsx).
 */
export function version(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'batchwire' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there (or not readable): try the next place.
    }
  }
  throw new Error('cannot find the package.json of batchwire');
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
  const parsed = parseCommandLine(argv, command.options);
  if (parsed.values.help === true) {
    process.stdout.write(command.usage);
    return 0;
  }
  return command.run({
    args: parsed.positionals,
    options: parsed.values,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}

function unknownName(what: string, name: string, known: Record<string, Command>): UsageError {
  const guess = closest(name, what === 'command' ? ['decode', ...Object.keys(known)] : Object.keys(known));
  const shown = JSON.stringify(name.slice(0, 60));
  return new UsageError(
    guess === undefined
      ? `unknown ${what} ${shown}; ${what === 'format' ? `formats: ${Object.keys(known).join(', ')}` : 'run "batchwire --help"'}`
      : `unknown ${what} ${shown} (did you mean ${guess}?)`,
  );
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and resolves to the exit code.
 * Loading this module runs nothing: the process entry is `bin.ts`.
 */
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
      if (!decoder || !Object.hasOwn(decoders, second)) throw unknownName('format', second, decoders);
      return await runCommand(decoder, rest);
    }
    const command = commands[first];
    if (!command || !Object.hasOwn(commands, first)) throw unknownName('command', first, commands);
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
