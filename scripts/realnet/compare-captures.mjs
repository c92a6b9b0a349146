// What a consumer could notice between jlay's firehose and the PDSes' own: both
// captured from cursor 0 after a realnet run (scripts/realnet-check step 8).
//
//   node compare-captures.mjs --relay jlay.frames PDS0.frames PDS1.frames ...
//
// Events are matched by type + DID + rev (+ commit CID) for #commit, + time for #sync, and by
// type + DID + time (+ handle / active / status) for #identity/#account; when
// several PDS events share a key (a #sync restating the same rev after each
// reactivation), the n-th relay event of the key is matched with the n-th. Prints
// one JSON line: counts by type on each side; PDS events jlay does not carry
// (with how many of them come before jlay's first event of that DID: the part
// before the crawl); jlay events with no PDS source; events jlay carries twice;
// DIDs whose events jlay carries in another order than their PDS; and, for
// matched events, which header/body fields differ apart from seq (and whether
// the bytes are otherwise identical). Exit 1 only on what must not happen: an
// event with no source, one carried twice, or one DID's events reordered.
import './polyfills.mjs'
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { decodeAll, encode } from '@atproto/lex-cbor'

const { values: o, positionals: pdsFiles } = parseArgs({ allowPositionals: true, options: { relay: { type: 'string' } } })
if (!o.relay || !pdsFiles.length) {
  console.error('usage: node compare-captures.mjs --relay RELAY.frames PDS.frames...')
  process.exit(2)
}
let undecodable = 0
function readEvents(file) {
  const buf = fs.readFileSync(file)
  const out = []
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32BE(at)
    const bytes = buf.subarray(at + 4, at + 4 + len)
    at += 4 + len
    let header, body
    try {
      ;[header, body] = decodeAll(bytes)
    } catch {
      undecodable++
      continue
    }
    if (header.op !== 1) continue
    out.push({ type: header.t, header, body, did: body.repo ?? body.did, bytes })
  }
  return out
}
const key = (e) => {
  const b = e.body
  if (e.type === '#commit') return `${e.type} ${e.did} ${b.rev} ${b.commit?.toString() ?? ''}`
  if (e.type === '#sync') return `${e.type} ${e.did} ${b.rev} ${b.time}` // a PDS restates one rev in a #sync per reactivation
  if (e.type === '#identity') return `${e.type} ${e.did} ${b.time} ${b.handle ?? ''}`
  if (e.type === '#account') return `${e.type} ${e.did} ${b.time} ${b.active} ${b.status ?? ''}`
  return `${e.type} ${e.did} ${b.time}`
}
const count = (evts) => evts.reduce((a, e) => ((a[e.type] = (a[e.type] ?? 0) + 1), a), {})
const withoutSeq = (b) => {
  const { seq, ...rest } = b
  return Buffer.from(encode(rest))
}

const relay = readEvents(o.relay)
const pds = pdsFiles.flatMap(readEvents)
// A key may stand for several PDS events (a #sync restating the same rev after each activation, say):
// the n-th relay event of a key is matched with the n-th PDS event of it, so only a surplus is "twice".
const pdsByKey = new Map()
for (const e of pds) {
  const k = key(e)
  if (!pdsByKey.has(k)) pdsByKey.set(k, [])
  pdsByKey.get(k).push(e)
}
const occurrence = (counts, k) => {
  const n = counts.get(k) ?? 0
  counts.set(k, n + 1)
  return n
}

const carried = new Map() // key -> how many relay events of it were matched
const relayOccurrence = [] // per relay event: its occurrence of its key
const noSource = []
const twice = []
const fieldDiffs = {}
let identicalButSeq = 0
const firstSeqOfKey = new Map()
for (const e of relay) {
  const k = key(e)
  const n = occurrence(carried, k)
  relayOccurrence.push(n)
  const sources = pdsByKey.get(k) ?? []
  if (n === 0) firstSeqOfKey.set(k, e.body.seq)
  if (n >= sources.length) {
    if (n > 0) twice.push({ key: k, seqs: [firstSeqOfKey.get(k), e.body.seq] })
    else noSource.push({ key: k, seq: e.body.seq })
    continue
  }
  const p = sources[n]
  if (withoutSeq(e.body).equals(withoutSeq(p.body)) && Buffer.from(encode(e.header)).equals(Buffer.from(encode(p.header)))) {
    identicalButSeq++
    continue
  }
  const fields = new Set([...Object.keys(e.body), ...Object.keys(p.body)])
  for (const f of fields) {
    if (f === 'seq') continue
    const a = e.body[f], b = p.body[f]
    const same = a === undefined || b === undefined ? a === b : Buffer.from(encode([a])).equals(Buffer.from(encode([b])))
    if (!same) {
      const d = (fieldDiffs[`${e.type}.${f}`] ??= { count: 0, sample: null })
      d.count++
      d.sample ??= { relay: a === undefined ? '(absent)' : String(a).slice(0, 80), pds: b === undefined ? '(absent)' : String(b).slice(0, 80) }
    }
  }
}
const isCarried = (k, n) => n < Math.min(carried.get(k) ?? 0, pdsByKey.get(k)?.length ?? 0)
// PDS events jlay does not carry; "before crawl": the DID's PDS event precedes everything jlay carries of it
const missing = { total: 0, byType: {}, beforeFirstRelayedOfDid: 0, didsNeverRelayed: new Set() }
const relayedPdsIndex = new Map() // `${key} #${occurrence}` -> the event's index in its PDS's order
const pdsSeen = new Map()
for (const f of pdsFiles) {
  const evts = readEvents(f)
  const nth = evts.map((e) => occurrence(pdsSeen, key(e)))
  const firstCarried = new Map()
  evts.forEach((e, i) => { if (isCarried(key(e), nth[i]) && !firstCarried.has(e.did)) firstCarried.set(e.did, i) })
  evts.forEach((e, i) => {
    relayedPdsIndex.set(`${key(e)} #${nth[i]}`, i)
    if (isCarried(key(e), nth[i])) return
    missing.total++
    missing.byType[e.type] = (missing.byType[e.type] ?? 0) + 1
    if (!firstCarried.has(e.did)) missing.didsNeverRelayed.add(e.did)
    else if (i < firstCarried.get(e.did)) missing.beforeFirstRelayedOfDid++
  })
}
// per DID, jlay's order must be the PDS's order
const reordered = []
const lastIndex = new Map()
relay.forEach((e, r) => {
  const i = relayedPdsIndex.get(`${key(e)} #${relayOccurrence[r]}`)
  if (i === undefined) return
  if (lastIndex.has(e.did) && i < lastIndex.get(e.did)) reordered.push({ did: e.did, seq: e.body.seq })
  lastIndex.set(e.did, i)
})
const ok = noSource.length === 0 && twice.length === 0 && reordered.length === 0 && undecodable === 0
console.log(JSON.stringify({
  result: ok ? 'PASS' : 'FAIL', check: 'relay-vs-pds-capture',
  relay: { events: relay.length, byType: count(relay), seq: { first: relay[0]?.body.seq, last: relay.at(-1)?.body.seq } },
  pds: { events: pds.length, byType: count(pds) },
  identicalButSeq,
  fieldDiffs,
  pdsEventsNotRelayed: { ...missing, didsNeverRelayed: missing.didsNeverRelayed.size },
  relayEventsWithoutSource: noSource.length, noSourceSamples: noSource.slice(0, 5),
  relayedTwice: twice.length, twiceSamples: twice.slice(0, 5),
  reorderedWithinDid: reordered.length, reorderedSamples: reordered.slice(0, 5),
  undecodable,
}))
process.exit(ok ? 0 : 1)
