// Benchmark helper: N viewers follow one run's log through /hubs/logs with the official SignalR client, fill gaps over
// REST, and report per viewer how many lines arrived (once each) and the latency from the job's emit time (the line's
// "emit" field, unix milliseconds) to receipt. Prints one JSON object.
// Usage: node log-viewers.mjs <baseUrl> <user> <password> <runId> <viewers>
import * as signalR from "@microsoft/signalr";

const [baseUrl, user, password, runId, viewersText] = process.argv.slice(2);
const authorization = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");

function emitOf(line) {
  const match = /"emit":([0-9.]+)/.exec(line.text);
  return match ? Number(match[1]) : null;
}

async function viewer() {
  const seen = new Set();
  const latencies = [];
  let duplicates = 0;
  let lastSeq = 0;
  let gapLines = 0;
  // Lines fetched over REST (a gap) count as delivered; only streamed lines have a latency.
  const accept = (line) => {
    if (seen.has(line.seq)) { duplicates++; return; }
    seen.add(line.seq);
    lastSeq = Math.max(lastSeq, line.seq);
  };
  const fetchRange = async (from, to) => {
    for (let after = from - 1; after < to;) {
      const response = await fetch(`${baseUrl}/api/runs/${runId}/logs?after=${after}&limit=5000`, { headers: { authorization } });
      if (!response.ok) throw new Error(`GET logs after ${after}: HTTP ${response.status} ${await response.text()}`);
      const page = await response.json();
      if (page.lines.length === 0) throw new Error(`no lines after ${after}`);
      for (const line of page.lines) if (line.seq <= to) { accept(line); gapLines++; }
      after = page.lines[page.lines.length - 1].seq;
    }
  };
  // Like the console's own viewer: a dropped connection is opened again and resumes after the last line it has.
  let reconnects = -1;
  for (let done = false; !done;) {
    reconnects++;
    const connection = new signalR.HubConnectionBuilder().withUrl(`${baseUrl}/hubs/logs`, { headers: { authorization } })
      .configureLogging(signalR.LogLevel.None).build();
    await connection.start();
    let chain = Promise.resolve();
    done = await new Promise((resolve, reject) => {
      connection.onclose(() => chain.then(() => resolve(false)));
      connection.stream("Stream", runId, lastSeq).subscribe({
        next: (batch) => {
          const receivedAt = Date.now();
          chain = chain.then(async () => {
            if (batch.gapFrom != null) await fetchRange(batch.gapFrom, batch.gapTo);
            for (const line of batch.lines) {
              if (seen.has(line.seq)) { duplicates++; continue; }
              seen.add(line.seq);
              lastSeq = Math.max(lastSeq, line.seq);
              const emit = emitOf(line);
              if (emit !== null) latencies.push(receivedAt - emit);
            }
            if (batch.done) resolve(true);
          }).catch(reject);
        },
        error: () => chain.then(() => resolve(false)),
        complete: () => chain.then(() => resolve(true)),
      });
    });
    await connection.stop();
  }
  let missing = 0;
  for (let seq = 1; seq <= lastSeq; seq++) if (!seen.has(seq)) missing++;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null;
  return { received: seen.size, duplicates, missing, lastSeq, gapLines, reconnects, p50: at(0.5), p99: at(0.99), max: at(1) };
}

const results = await Promise.all(Array.from({ length: Number(viewersText) }, () => viewer()));
console.log(JSON.stringify({ viewers: results }));
