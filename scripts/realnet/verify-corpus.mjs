// Validates a recorded firehose (../shared/corpus format: 4-byte big-endian
// length + exact message bytes, repeated) the way @atproto/sync's consumer
// does, offline, and prints commits/s: the reference side of scripts/verify-compare.
//
//   node verify-corpus.mjs FILE... --did-docs did-docs.json [--repeat N] [--warmup N]
//
// Per frame it runs exactly the consumer's code path minus the socket:
// xrpc-server's ensureChunkIsMessage (frame decode), the Firehose's own lexicon
// validation closure (subscribeRepos $message.safeParse), then Firehose.processEvt
// (#commit: resolveAtprotoKey + verifyProofs + readCar + cborToLexRecord per op;
// #sync: readCarWithRoot; #identity: DID doc from the cache; #account: status).
// DID documents come from the JSON map, pre-loaded into the IdResolver's cache;
// its fetch throws, so nothing touches the network. Handles are not resolved
// (unauthenticatedHandles: offline there is nothing to resolve them against).
// Each pass uses a fresh Firehose and a fresh cache, like verify --repeat.
// Prints one JSON line: frames, commits, failures (by kind, with samples),
// seconds (validation only, start-up excluded), commits_per_second,
// frames_per_second, cpu_seconds, commits_per_cpu_second.
import './polyfills.mjs'
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { Firehose } from '@atproto/sync'
import { IdResolver, MemoryCache } from '@atproto/identity'
import { ensureChunkIsMessage } from '@atproto/xrpc-server'

const { values: o, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    'did-docs': { type: 'string' },
    repeat: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '0' },
  },
})
if (!files.length || !o['did-docs']) {
  console.error('usage: node verify-corpus.mjs FILE... --did-docs FILE [--repeat N] [--warmup N]')
  process.exit(2)
}
const repeat = Number(o.repeat)
const warmup = Number(o.warmup)

function readFrames(file) {
  const buf = fs.readFileSync(file)
  const frames = []
  for (let at = 0; at < buf.length; ) {
    if (at + 4 > buf.length) throw new Error(`${file}: truncated length at byte ${at}`)
    const len = buf.readUInt32BE(at)
    if (at + 4 + len > buf.length) throw new Error(`${file}: truncated frame at byte ${at}`)
    frames.push(buf.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  return frames
}
const frames = files.flatMap(readFrames)
const docs = JSON.parse(fs.readFileSync(o['did-docs'], 'utf8'))
const METHOD = 'com.atproto.sync.subscribeRepos'

async function pass(record) {
  const didCache = new MemoryCache(3_600_000, 86_400_000)
  for (const [did, doc] of Object.entries(docs)) await didCache.cacheDid(did, doc)
  const idResolver = new IdResolver({
    plcUrl: 'http://127.0.0.1:9', // never reached: fetch throws
    didCache,
    fetch: async () => { throw new Error('offline: no fetch') },
  })
  const failures = {}
  const samples = []
  const fail = (kind, err, seq) => {
    failures[kind] = (failures[kind] ?? 0) + 1
    if (samples.length < 5) samples.push({ kind, seq, error: String(err?.cause ?? err) })
  }
  let ops = 0
  const fh = new Firehose({
    service: 'ws://127.0.0.1:9', // never connected: frames are fed to processEvt directly
    idResolver,
    unauthenticatedHandles: true,
    handleEvent: async () => { ops++ },
    onError: (err) => fail(err?.constructor?.name ?? 'Error', err, err?.value?.seq ?? err?.event?.seq),
  })
  const validate = fh.sub.opts.validate // the Firehose's own lexicon check, as its Subscription runs it
  let commits = 0
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  for (const bytes of frames) {
    let evt
    try {
      // what Subscription's iterator does with each WebSocket chunk
      const message = ensureChunkIsMessage(bytes)
      const t = message.header.t
      const body = message.body && typeof message.body === 'object'
        ? (t !== undefined ? { ...message.body, $type: t.startsWith('#') ? METHOD + t : t } : message.body)
        : undefined
      evt = validate(body)
      if (t === '#commit') commits++
    } catch (err) {
      fail('FrameError', err)
      continue
    }
    if (evt !== undefined) await fh.processEvt(evt)
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(c0)
  if (record) record({ commits, ops, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, failures, samples })
}

for (let i = 0; i < warmup; i++) await pass(null)
const runs = []
for (let i = 0; i < repeat; i++) await pass((r) => runs.push(r))
const sum = (k) => runs.reduce((a, r) => a + r[k], 0)
const seconds = sum('seconds')
const cpuSeconds = sum('cpuSeconds')
const failures = {}
for (const r of runs) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v
console.log(JSON.stringify({
  reference: '@atproto/sync Firehose (offline)',
  node: process.version,
  frames: frames.length * repeat,
  commits: sum('commits'),
  ops_emitted: sum('ops'),
  passes: repeat,
  warmup_passes: warmup,
  failures,
  failure_samples: runs[0]?.samples ?? [],
  seconds: Math.round(seconds * 1000) / 1000,
  commits_per_second: Math.round(sum('commits') / seconds),
  frames_per_second: Math.round((frames.length * repeat) / seconds),
  cpu_seconds: Math.round(cpuSeconds * 1000) / 1000,
  commits_per_cpu_second: Math.round(sum('commits') / cpuSeconds),
}))
