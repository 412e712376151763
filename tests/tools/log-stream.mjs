// Follows a run's log through /hubs/logs with the official SignalR client, drops the connection after some lines, reconnects
// from the last sequence number it has, fills gaps over REST, and reports what it received as JSON.
// Usage: node log-stream.mjs <baseUrl> <user> <password> <runId> <disconnectAfterLines> [pauseMs]
import * as signalR from "@microsoft/signalr";

const [baseUrl, user, password, runId, disconnectAfterText, pauseText] = process.argv.slice(2);
const authorization = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
const disconnectAfter = Number(disconnectAfterText);
const pauseMs = Number(pauseText ?? "500");

const seqs = [];
let lastSeq = 0;
let gaps = 0;
let gapLines = 0;
let connections = 0;
let error = null;

// Fetches [from, to] over REST; returns how many lines it added.
async function fetchRange(from, to) {
  let after = from - 1;
  let added = 0;
  while (after < to) {
    const response = await fetch(`${baseUrl}/api/runs/${runId}/logs?after=${after}&limit=5000`, { headers: { authorization, accept: "application/json" } });
    if (!response.ok) throw new Error(`GET logs: HTTP ${response.status}`);
    const page = await response.json();
    if (page.lines.length === 0) throw new Error(`GET logs after ${after}: no lines, expected up to ${to}`);
    for (const line of page.lines) {
      if (line.seq > to) break;
      accept(line);
      gapLines++;
      added++;
    }
    after = lastSeq;
  }
  return added;
}

function accept(line) {
  seqs.push(line.seq);
  lastSeq = Math.max(lastSeq, line.seq);
}

// Streams from lastSeq until `stopAfter` lines arrived in this connection (then drops it) or the run is done.
async function follow(stopAfter) {
  connections++;
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${baseUrl}/hubs/logs`, { headers: { authorization } })
    .configureLogging(signalR.LogLevel.Error)
    .build();
  await connection.start();
  let received = 0;
  let chain = Promise.resolve();
  const outcome = await new Promise((resolve, reject) => {
    const subscription = connection.stream("Stream", runId, lastSeq).subscribe({
      next: (batch) => {
        // Batches are handled strictly in order, a gap's REST fetch included.
        chain = chain.then(async () => {
          if (batch.gapFrom != null) {
            gaps++;
            received += await fetchRange(batch.gapFrom, batch.gapTo);
          }
          for (const line of batch.lines) {
            accept(line);
            received++;
          }
          if (batch.error) error = batch.error;
          if (batch.done) resolve("done");
          else if (stopAfter > 0 && received >= stopAfter) {
            subscription.dispose();
            resolve("dropped");
          }
        }).catch(reject);
      },
      error: reject,
      complete: () => chain.then(() => resolve("complete")),
    });
  });
  await connection.stop();
  return outcome;
}

let outcome = await follow(disconnectAfter);
while (outcome !== "done") {
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  outcome = await follow(0);
}

const unique = new Set(seqs);
let missing = 0;
for (let seq = 1; seq <= lastSeq; seq++) if (!unique.has(seq)) missing++;
const ordered = seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]);
const disorder = seqs.map((seq, i) => [i, seq]).filter(([i, seq]) => i > 0 && seq <= seqs[i - 1]).slice(0, 3)
  .map(([i]) => seqs.slice(Math.max(0, i - 2), i + 2).join(","));
console.log(JSON.stringify({ received: seqs.length, lastSeq, duplicates: seqs.length - unique.size, missing, ordered, disorder, gaps, gapLines, connections, error }));
