import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  checkCase,
  chunkedVerdict,
  emptySummary,
  FIXED_BUGS,
  type Leg,
  legVerdict,
  saxesVerdict,
  type Verdict,
} from './differential.js';
import { runDifferential } from './differential-run.js';

// A slice of `npm run fuzz:xml-diff`: about 3 000 documents, at most 12 s of checking.
const RUNS = 3000;
const SECONDS = 12;
const SEED = Number(process.env.XML_DIFF_SEED ?? Date.now() % 0x7fff_ffff);

const LEG_SCRIPT = fileURLToPath(new URL('./differential-leg.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A leg's verdict in a child process: `hang` when none comes within `ms` of the child loading. */
function verdictInChild(leg: Leg, text: string, ms: number, cuts?: number[]): Promise<Verdict | 'hang'> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', LEG_SCRIPT, JSON.stringify({ leg, text, cuts })],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString();
      if (timer === undefined && out.startsWith('ready\n')) {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve('hang');
        }, ms);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const line = out.split('\n')[1];
      if (line) resolve(JSON.parse(line) as Verdict);
      else if (!out.startsWith('ready')) reject(new Error('the child process did not start'));
    });
  });
}

/** Where `chunks` joined are cut. */
function cutsOf(chunks: string[]): number[] {
  const cuts: number[] = [];
  let at = 0;
  for (const chunk of chunks.slice(0, -1)) {
    at += chunk.length;
    cuts.push(at);
  }
  return cuts;
}

describe('differential test against saxes (xmlns on, a DOCTYPE counted as refused)', () => {
  it(`batchwire never accepts a document saxes refuses, and every other difference is named (seed ${SEED})`, async () => {
    const result = await runDifferential({ seed: SEED, runs: RUNS, seconds: SECONDS });
    console.log(
      `xml differential: seed ${SEED}, ${result.cases} cases, ${result.comparisons} verdicts, ${result.seconds.toFixed(1)} s; ` +
        `saxes refused ${result.saxesRefused}; categories ${JSON.stringify(result.categories)}; known bugs set aside ${JSON.stringify(result.knownBugs)}`,
    );
    expect(result.findings).toEqual([]);
    // Enough cases to mean something even on a loaded machine; saxes refuses most of them.
    expect(result.cases).toBeGreaterThanOrEqual(Math.min(RUNS, 1000));
    expect(result.saxesRefused).toBeGreaterThan(result.cases / 2);
    expect(result.saxesRefused).toBeLessThan(result.cases);
  }, 60_000);

  it('agrees with saxes on every short document made of markup pieces, each also cut at every character', () => {
    // Pairs of every piece, and triples of those around references and ']]>': what a random
    // insertion rarely lines up (a reference cut by markup, ']]' then '>' after a reference).
    const pieces = [
      ']',
      '>',
      '&',
      'amp;',
      '<b/>',
      '<!--c-->',
      '<![CDATA[',
      ']]>',
      '\r',
      '\n',
      'x',
      '#',
      ';',
      '-',
      '?',
      '<?p ?>',
      '"',
      '</a>',
      '<a>',
      '&#x',
      '41;',
      '\uD83D',
      '\uDE00',
      ' ',
    ];
    const few = [']', '>', '&', 'amp;', '<b/>', ']]>', '\r', '\n', '#', ';', '&#x', '41;'];
    const texts = new Set<string>();
    for (const p of pieces) for (const q of pieces) texts.add(`<a>${p}${q}</a>`);
    for (const p of few) for (const q of few) for (const r of few) texts.add(`<a>${p}${q}${r}</a>`);
    const summary = emptySummary();
    // Seed 0: the chunked leg cuts a text this short at every character.
    for (const text of texts) checkCase({ text, labels: ['pieces'] }, 0, summary);
    expect(summary.findings).toEqual([]);
    expect(summary.cases).toBe(texts.size);
    expect(summary.saxesRefused).toBeGreaterThan(0);
    expect(summary.saxesRefused).toBeLessThan(summary.cases);
  });

  it('names each category once per direction, with a reason', () => {
    const keys = CATEGORIES.map((c) => `${c.direction}:${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const category of CATEGORIES) expect(category.reason.length).toBeGreaterThan(40);
  });

  it("lists every category in the README's table of differences", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf("### Where batchwire's XML differs from saxes");
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    for (const category of CATEGORIES) expect(section).toContain(`\`${category.name}\``);
  });

  describe.each(CATEGORIES.map((c) => [`${c.direction}:${c.name}`, c] as const))('%s', (_key, category) => {
    it('its example differs in that direction, and the category explains it', () => {
      const { text, leg } = category.example;
      const saxes = saxesVerdict(text);
      const batchwire = legVerdict(leg, text);
      expect({ saxes: saxes.accepted, batchwire: batchwire.accepted }).toEqual(
        category.direction === 'stricter'
          ? { saxes: true, batchwire: false }
          : { saxes: false, batchwire: true },
      );
      expect(category.explains({ text, bytes: undefined, leg, saxes, batchwire })).toBe(true);
      // Exactly one category explains it: none hides another.
      const direction = category.direction;
      const explaining = CATEGORIES.filter(
        (c) => c.direction === direction && c.explains({ text, bytes: undefined, leg, saxes, batchwire }),
      );
      expect(explaining.map((c) => c.name)).toEqual([category.name]);
    });
  });

  it('explains nothing where saxes and batchwire agree, or with no cause in the document', () => {
    const plain = '<a xmlns:p="urn:p"><p:b c="1">x</p:b></a>';
    for (const category of CATEGORIES) {
      const leg = category.example.leg;
      const d = {
        text: plain,
        bytes: undefined,
        leg,
        saxes: saxesVerdict(plain),
        batchwire: legVerdict(leg, plain),
      };
      if (category.name !== 'not-a-message-array' && category.name !== 'not-a-fault') {
        expect(category.explains(d), category.name).toBe(false);
      }
    }
  });

  // Bugs this test found and that are fixed: each example is a regression test (a hang runs in a
  // child process with a deadline, so a regression fails instead of stopping the suite).
  for (const bug of FIXED_BUGS) {
    const accepted = bug.accepted;
    if (accepted !== undefined) {
      it(`fixed ${bug.name}: refuses ${JSON.stringify(accepted.text)} (saxes does)`, () => {
        expect(saxesVerdict(accepted.text).accepted).toBe(false);
        expect(legVerdict(accepted.leg, accepted.text).accepted).toBe(false);
      });
    }
    const hangs = bug.hangs;
    if (hangs !== undefined) {
      it(`fixed ${bug.name}: returns on ${JSON.stringify(hangs.text)}`, async () => {
        const verdict = await verdictInChild(hangs.leg, hangs.text, 3000);
        expect(verdict).not.toBe('hang');
        expect(verdict).toMatchObject({ accepted: false, code: 'XML_SYNTAX' });
      }, 60_000);
    }
    const chunkHangs = bug.chunkHangs;
    if (chunkHangs !== undefined) {
      it(`fixed ${bug.name}: the SOAP reader returns on chunks ${JSON.stringify(chunkHangs)}`, async () => {
        const verdict = await verdictInChild('soap-chunked', chunkHangs.join(''), 3000, cutsOf(chunkHangs));
        expect(verdict).not.toBe('hang');
        expect(verdict).toMatchObject({ accepted: false, code: 'XML_SYNTAX' });
      }, 60_000);
    }
    const chunks = bug.chunks;
    if (chunks !== undefined) {
      it(`fixed ${bug.name}: ${JSON.stringify(chunks)} reads as the whole string does`, () => {
        const text = chunks.join('');
        expect(chunkedVerdict(text, cutsOf(chunks))).toEqual(chunkedVerdict(text, []));
      });
    }
  }
});
