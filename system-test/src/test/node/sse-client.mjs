// A stock Server-Sent Events client: the npm `eventsource` package, which behaves as a browser's
// EventSource does. It reconnects by itself after a dropped stream, sending Last-Event-ID, and
// closes for good on a non-200 answer or a wrong content type. This script adds no reconnection
// of its own; it only reports, one JSON object per stdout line, what the EventSource does.
//   node sse-client.mjs <url>
// Lines: {"event":"started","version":...}, {"event":"open"},
// {"event":"message","lastEventId":...,"id":...,"partition":...,"offset":...,"deliveryAttempt":...},
// {"event":"error","readyState":0|2,"code":...,"message":...}; readyState 2 (CLOSED) is final:
// the script then exits with status 3.
import { readFileSync } from 'node:fs';
import { EventSource } from 'eventsource';

const url = process.argv[2];
if (!url) {
  console.error('usage: node sse-client.mjs <url>');
  process.exit(2);
}
const out = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const version = JSON.parse(
  readFileSync(new URL('./node_modules/eventsource/package.json', import.meta.url))).version;
out({ event: 'started', version, url });

const es = new EventSource(url);
es.onopen = () => out({ event: 'open' });
es.onmessage = (e) => {
  let record;
  try {
    record = JSON.parse(e.data);
  } catch (err) {
    out({ event: 'unreadable', lastEventId: e.lastEventId, data: String(e.data).slice(0, 200) });
    return;
  }
  out({
    event: 'message',
    lastEventId: e.lastEventId,
    id: record.id,
    partition: record.partition,
    offset: record.offset,
    deliveryAttempt: record.deliveryAttempt,
  });
};
es.onerror = (e) => {
  out({ event: 'error', readyState: es.readyState, code: e.code ?? null, message: e.message ?? null });
  if (es.readyState === EventSource.CLOSED) {
    process.exit(3);
  }
};
process.on('SIGTERM', () => {
  es.close();
  process.exit(0);
});
