// One leg's verdict on one document, in a process of its own (`node --import tsx`): the test runs
// the known hangs here, so that a document on which batchwire never returns cannot stop the suite.
// Argument: JSON `{ "leg": ..., "text": ..., "cuts"?: [...] }`. Prints `ready` once loaded, then the
// verdict as JSON.
import { type Leg, legVerdict } from './differential.js';

const { leg, text, cuts } = JSON.parse(process.argv[2] ?? '{}') as {
  leg: Leg;
  text: string;
  cuts?: number[];
};
process.stdout.write('ready\n');
process.stdout.write(`${JSON.stringify(legVerdict(leg, text, cuts))}\n`);
