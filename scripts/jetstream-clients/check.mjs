// Drives a real Jetstream client from npm against a running jlay's /subscribe and prints what it
// saw, one JSON line per event ({"session":n,"event":{...}}), then {"done":true}. The Java test
// (JetstreamNpmClientsTest) decides whether that is exactly what was expected.
//
//   node check.mjs <skyware|atcute> <ws://host:port> '<json plan>'
//
// plan: {"sessions":[{"wantedCollections":[..],"wantedDids":[..],"cursor":N|"previous",
//         "compress":bool,"stopAfter":N,"until":time_us}], "dictionary":"path"}
// A session ends after stopAfter events (then the next may reconnect from the client's own
// cursor: "previous"), or once it has seen time_us >= until and nothing more came for a moment.
// compress: the client gets a WebSocket that asks for compress=true and hands it each binary
// frame unzstd'ed with Jetstream's dictionary (neither client decodes zstd itself).
import { Jetstream } from '@skyware/jetstream';
import { JetstreamSubscription } from '@atcute/jetstream';
import { init, createDCtx, decompressUsingDict } from '@bokuweb/zstd-wasm';
import WS from 'ws';
import fs from 'node:fs';

const [client, base, planText] = process.argv.slice(2);
const plan = JSON.parse(planText);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const fail = (msg) => { out({ error: String(msg) }); process.exit(1); };

let dictionary = null;
if (plan.sessions.some((s) => s.compress)) {
  await init();
  dictionary = new Uint8Array(fs.readFileSync(plan.dictionary));
}

/** A ws WebSocket that asks for compress=true and passes on each binary frame decompressed. */
function zstdWebSocket() {
  const dctx = createDCtx();
  const wrapped = new Map();
  return class ZstdWebSocket extends WS {
    constructor(url, protocols) {
      const u = new URL(url);
      u.searchParams.set('compress', 'true');
      super(u.toString(), protocols);
      super.binaryType = 'arraybuffer';
    }
    get binaryType() { return 'arraybuffer'; }
    set binaryType(_) { /* always arraybuffer: the frames are decompressed here */ }
    addEventListener(type, listener, options) {
      if (type !== 'message') return super.addEventListener(type, listener, options);
      const w = (ev) => {
        if (typeof ev.data === 'string') fail('a text frame on a compress=true connection');
        const json = new TextDecoder().decode(decompressUsingDict(dctx, new Uint8Array(ev.data), dictionary));
        listener({ type: 'message', data: json });
      };
      wrapped.set(listener, w);
      return super.addEventListener(type, w, options);
    }
    removeEventListener(type, listener, options) {
      return super.removeEventListener(type, wrapped.get(listener) ?? listener, options);
    }
  };
}

/** Runs one session; resolves with the client's cursor when it ends. */
function session(n, s, previousCursor) {
  const cursor = s.cursor === 'previous' ? previousCursor : s.cursor;
  const Impl = s.compress ? zstdWebSocket() : WS;
  return new Promise((resolve) => {
    let count = 0;
    let idle = null;
    let finish;
    const seen = (event) => {
      out({ session: n, event });
      count++;
      if (s.stopAfter && count >= s.stopAfter) return finish();
      if (s.until && event.time_us >= s.until) {
        clearTimeout(idle);
        idle = setTimeout(() => finish(), 1500);
      }
    };
    const deadline = setTimeout(() => fail(`session ${n}: timed out after ${count} events`), 60000);
    if (client === 'skyware') {
      const js = new Jetstream({ endpoint: base + '/subscribe', ws: Impl, cursor,
        wantedCollections: s.wantedCollections, wantedDids: s.wantedDids });
      js.on('commit', seen);
      js.on('identity', seen);
      js.on('account', seen);
      js.on('error', (e) => fail(`skyware error: ${e}`));
      finish = () => { clearTimeout(deadline); clearTimeout(idle); js.close(); resolve(js.cursor); };
      js.start();
    } else {
      const sub = new JetstreamSubscription({ url: base, cursor, ws: { WebSocket: Impl },
        wantedCollections: s.wantedCollections, wantedDids: s.wantedDids,
        onError: (e) => fail(`atcute rejected an event: ${e}`) });
      let stop = false;
      finish = () => { stop = true; clearTimeout(deadline); clearTimeout(idle); };
      (async () => {
        for await (const event of sub) {
          if (stop) break;
          seen(event);
          if (stop) break;
        }
        resolve(sub.cursor);
      })();
      // the iterator only ends on the next event; an idle stream ends here
      const poll = setInterval(() => { if (stop) { clearInterval(poll); resolve(sub.cursor); } }, 100);
    }
  });
}

let cursor;
for (let i = 0; i < plan.sessions.length; i++) {
  cursor = await session(i + 1, plan.sessions[i], cursor);
  out({ session: i + 1, cursor });
}
out({ done: true });
process.exit(0);
