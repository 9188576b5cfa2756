// The long differential run against saxes: `npm run fuzz:xml-diff -- --seconds 60` (or `--runs N`,
// `--seed N`). Prints the case count, what each deliberate difference explained, and every
// finding; exits 1 on a finding (batchwire accepting a document saxes refuses, a refusal no
// category explains, a verdict that depends on chunking). test/xml/differential.test.ts runs a
// short slice of the same cases.
import { CATEGORIES, KNOWN_BUGS } from '../xml/differential.js';
import { runDifferential } from '../xml/differential-run.js';

function argument(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} takes a non-negative number`);
    process.exit(2);
  }
  return value;
}

const runs = argument('runs');
const seconds = argument('seconds') ?? (runs === undefined ? 30 : undefined);
const seed = argument('seed') ?? Date.now() % 0x7fff_ffff;
const summary = await runDifferential({
  seed,
  ...(runs === undefined ? {} : { runs }),
  ...(seconds === undefined ? {} : { seconds }),
});
const elapsed = summary.seconds;
console.log(
  `xml differential vs saxes: seed ${seed}, ${summary.cases} cases, ${summary.comparisons} verdicts, ${elapsed.toFixed(1)} s`,
);
console.log(`saxes refused ${summary.saxesRefused} of ${summary.cases} documents`);
console.log('deliberate differences (direction:name count):');
for (const category of CATEGORIES) {
  const key = `${category.direction}:${category.name}`;
  console.log(`  ${key.padEnd(48)} ${summary.categories[key]}`);
}
for (const bug of KNOWN_BUGS) {
  console.log(`known bug ${bug.name}: ${summary.knownBugs[bug.name]} verdicts set aside (that leg not run)`);
}
console.log(`refused by both, by batchwire's code: ${JSON.stringify(summary.bothRefused)}`);
console.log(`findings: ${summary.findings.length}`);
for (const finding of summary.findings.slice(0, 50)) {
  console.log(JSON.stringify(finding));
}
if (summary.findings.length > 50) console.log(`... and ${summary.findings.length - 50} more`);
process.exitCode = summary.findings.length > 0 ? 1 : 0;
