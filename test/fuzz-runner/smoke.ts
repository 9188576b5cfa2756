import { startEmulator } from '../../src/emulator/index.js';
import { runFuzz } from '../../src/fuzz/index.js';

const service = (process.argv[2] ?? 'hpc-pack') as 'hpc-pack';
const arg = process.argv[3] ?? '50';
const limits = arg.startsWith('t') ? { timeLimitMs: Number(arg.slice(1)) * 1000 } : { runs: Number(arg) };
const emulator = await startEmulator({ seed: 1 });
const t = performance.now();
const report = await runFuzz({
  target: emulator.url,
  service,
  seed: Number(process.argv[4] ?? 7),
  ...limits,
  requestTimeoutMs: 3000,
});
console.log(
  JSON.stringify(
    {
      requests: report.requests,
      runs: report.runs,
      ms: Math.round(performance.now() - t),
      findings: report.findings.map((f) => ({
        sig: f.signature,
        msg: f.message,
        n: f.case.requests.length,
        shrunk: f.shrunk,
        sr: f.shrinkRuns,
        cmds: f.case.commands,
      })),
    },
    null,
    1,
  ),
);
await emulator.close();
