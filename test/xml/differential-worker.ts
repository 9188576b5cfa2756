// The worker thread of a differential run (differential-run.ts): checks cases, reports each one
// before it starts (so a case that never returns is known) and the counts after each batch.
import { parentPort, workerData } from 'node:worker_threads';
import { fc } from 'batchwire/arbitraries';
import { checkCase, emptySummary } from './differential.js';
import { differentialCase } from './differential-cases.js';
import { BATCH, caseSeed, type WorkerMessage, type WorkerSettings } from './differential-run.js';

const settings = workerData as WorkerSettings;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
let done = 0;
for (let round = settings.round; done < settings.runs && Date.now() < settings.deadline; round++) {
  const batch = fc.sample(differentialCase(), { seed: settings.seed + round, numRuns: BATCH });
  let summary = emptySummary();
  for (
    let index = 0;
    index < batch.length && done < settings.runs && Date.now() < settings.deadline;
    index++
  ) {
    if (settings.skip.includes(`${round}:${index}`)) continue;
    post({ type: 'case', round, index });
    checkCase(batch[index]!, caseSeed(settings.seed, round, index), summary);
    done++;
  }
  post({ type: 'batch', summary });
  summary = emptySummary();
}
post({ type: 'done' });
