// The load generator for `npm run bench:api -- --concurrent` (bench/api.ts), in its own process so
// it does not share the server's event loop: autocannon with N connections cycling through the
// given requests for D seconds. Prints one JSON line: requests/s, latency percentiles (p95 from
// every response, which autocannon's summary does not give), non-2xx and errors.
import autocannon from 'autocannon';

const { url, connections, duration, headers, paths } = JSON.parse(process.argv[2]);
const times = [];
const instance = autocannon({
  url,
  connections,
  duration,
  headers,
  requests: paths.map((path) => ({ method: 'GET', path })),
});
instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
const result = await instance;
times.sort((a, b) => a - b);
const at = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? null;
console.log(
  JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }),
);
