// The command tables: `batchwire decode <format>` and the other commands.
import { benchCommand } from './bench.js';
import { demoCommand } from './demo.js';
import { decodeDliStateCommand, decodeFaultCommand, decodeJobPrepPageCommand } from './faults.js';
import { fuzzCommand } from './fuzz.js';
import { genCommand } from './gen.js';
import { decodeGenericCommand } from './generic.js';
import type { Command } from './io.js';
import { filterCommand } from './odata.js';
import { serveCommand } from './serve.js';
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
  serve: serveCommand,
  fuzz: fuzzCommand,
};
