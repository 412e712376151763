// HTTP load on one URL with autocannon: CONNECTIONS connections for SECONDS seconds, each sending its next request
// when the last is answered. Every response's time is kept, so the percentiles are exact (autocannon's own summary
// has no p95). Prints one JSON object: requests, per second, non-2xx answers, errors, latency p50/p95/p99/max in ms.
// usage: node api-load.mjs URL SECONDS CONNECTIONS [AUTHORIZATION]
import autocannon from "autocannon";

const [url, seconds, connections, authorization] = process.argv.slice(2);
const times = [];
let non2xx = 0;
const instance = autocannon({
  url,
  duration: Number(seconds),
  connections: Number(connections),
  headers: authorization ? { authorization } : {},
});
instance.on("response", (_client, statusCode, _bytes, responseTime) => {
  times.push(responseTime);
  if (statusCode < 200 || statusCode > 299) non2xx++;
});
const result = await instance;
times.sort((a, b) => a - b);
const at = (p) => (times.length ? times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] : null);
console.log(JSON.stringify({
  requests: times.length,
  perSecond: times.length / Number(seconds),
  non2xx,
  errors: result.errors + result.timeouts,
  p50: at(50), p95: at(95), p99: at(99), max: times.length ? times[times.length - 1] : null,
}));
