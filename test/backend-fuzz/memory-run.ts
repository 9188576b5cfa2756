// `npm run fuzz:memory [-- --minutes M]`: the runner's RSS over a long run against a target that
// answers every request with a new DLI error code and a fresh 4 MiB body (the target runs in a
// child process, so only the runner's memory is measured). Prints RSS every 10 s; the run is
// bounded if the figures stay flat after the first findings are kept.
import { spawn } from 'node:child_process';
import { runFuzz } from '../../src/fuzz/index.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const minutes = Number(option('minutes') ?? 3);
const TARGET = `
const http = require('node:http');
let n = 0;
const server = http.createServer((req, res) => {
  req.resume();
  const size = 4 * 1024 * 1024;
  const body = Buffer.alloc(size, 0x61);
  body.write('{"error_code":"DLI.' + String(++n).padStart(6, '0') + '","error_msg":"', 0, 'latin1');
  body.write('"}', size - 2, 'latin1');
  res.writeHead(400, { 'content-type': 'application/json', 'content-length': size });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

const child = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) =>
  child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const started = performance.now();
let requests = 0;
const samples: string[] = [];
const timer = setInterval(() => {
  const { rss, heapUsed, external } = process.memoryUsage();
  const line = `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ${String(requests).padStart(7)} requests  RSS ${mb(rss).padStart(5)} MiB  heap ${mb(heapUsed).padStart(4)} MiB  external ${mb(external).padStart(4)} MiB`;
  samples.push(line);
  console.log(line);
}, 10_000);
try {
  const report = await runFuzz({
    target: url,
    service: 'dli',
    seed: 1,
    timeLimitMs: minutes * 60_000,
    onRequest: () => requests++,
  });
  console.log(
    `${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s (stopped by ${report.stoppedBy}), ${report.findings.length} findings kept, ${report.findingsOmitted} omitted; peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MiB`,
  );
} finally {
  clearInterval(timer);
  child.kill();
}
