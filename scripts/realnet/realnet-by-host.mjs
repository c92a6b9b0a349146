#!/usr/bin/env node
// Per-host checks of a relay after a realnet run (scripts/realnet-check copies
// this file next to the harness and runs it there). compare.mjs can only match
// totals through a relay, so this:
//  1. replays the relay's subscribeRepos from the cursor before the first event
//     the live consumer saw up to its last one, and checks that the replay
//     carries the same events by type as the live stream, with unique,
//     increasing seqs and no upstream event twice (same DID + rev + commit, or
//     same DID + time for identity/account: a re-read after a crash); an
//     identical #sync twice is only listed (repeatedSyncs): a PDS may emit one
//     twice, and step 8's compare-captures checks #sync against its stream;
//  2. attributes every replayed event to its PDS (the DID sets of each PDS's
//     listRepos) and matches the counts per PDS and type with what load.mjs
//     expected (the relay equivalent of compare.mjs --per-pds);
//  3. compares the account state the relay reports (getRepoStatus, listRepos)
//     with each PDS's own listRepos, for every account the relay saw.
// Prints one JSON line; exit 0 only when everything matches.
//
//   node realnet-by-host.mjs --net net.json --load load.json --consume consume.json
//        --relay ws://127.0.0.1:2570 --relay-http http://127.0.0.1:2570
// Loopback only: every URL comes from net.json or the arguments.
import './polyfills.mjs'
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { Frame } from '@atproto/xrpc-server'
import { guardDns, log } from './lib.mjs'

guardDns()
const { values: o } = parseArgs({
  options: {
    net: { type: 'string' },
    load: { type: 'string' },
    consume: { type: 'string' },
    relay: { type: 'string' },
    'relay-http': { type: 'string' },
    'timeout-s': { type: 'string', default: '120' },
  },
})
const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'))
const net = readJson(o.net)
const load = readJson(o.load)
const cons = readJson(o.consume)
const TYPES = ['commit', 'identity', 'account', 'sync']
for (const u of [o.relay, o['relay-http'], ...net.pds.map((p) => p.url)]) {
  const h = new URL(u).hostname
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(h)) throw new Error(`not a loopback URL: ${u}`)
}

async function getJson(url) {
  const res = await fetch(url)
  const text = await res.text()
  let body
  try { body = JSON.parse(text) } catch { body = { raw: text.slice(0, 200) } }
  return { status: res.status, body }
}
async function listRepos(base) {
  const repos = []
  let cursor
  for (let page = 0; page < 10_000; page++) {
    const q = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) })
    const r = await getJson(`${base}/xrpc/com.atproto.sync.listRepos?${q}`)
    if (r.status !== 200) return { status: r.status, error: r.body, repos }
    repos.push(...(r.body.repos ?? []))
    if (!r.body.cursor || !r.body.repos?.length) break
    cursor = r.body.cursor
  }
  return { status: 200, repos }
}

// ---- which DID lives on which PDS, and its state there ----
const didToPds = new Map()
const pdsRepos = new Map()
for (const p of net.pds) {
  const r = await listRepos(p.url)
  if (r.status !== 200) throw new Error(`listRepos on ${p.url}: HTTP ${r.status}`)
  for (const repo of r.repos) {
    didToPds.set(repo.did, p.url)
    pdsRepos.set(repo.did, repo)
  }
}

// ---- 1. replay [first, last] from the relay's durable log ----
const live = cons.streams[0]
const first = live?.seq?.first
const last = live?.seq?.last
const replay = { cursor: null, events: 0, byType: {}, duplicates: 0, outOfOrder: 0, unknownDid: 0, errorFrames: [], complete: false,
  repeatedEvents: 0, repeatedSamples: [], repeatedSyncs: [] }
// the same upstream event relayed twice under two seqs (e.g. re-read after a crash):
// commits and syncs by DID + rev + commit CID, identity and account by DID + time + content
const eventKeys = new Map()
const eventKey = (type, b) => {
  const did = b.repo ?? b.did
  if (type === 'commit') return `${type} ${did} ${b.rev} ${b.commit?.toString() ?? ''}`
  if (type === 'sync') return `${type} ${did} ${b.rev} ${b.time}`
  if (type === 'identity') return `identity ${did} ${b.time} ${b.handle ?? ''}`
  if (type === 'account') return `account ${did} ${b.time} ${b.active} ${b.status ?? ''}`
  return null
}
const perPds = Object.fromEntries(net.pds.map((p) => [p.url, Object.fromEntries(TYPES.map((t) => [t, 0]))]))
const seenDids = new Set()
if (typeof first === 'number' && typeof last === 'number') {
  replay.cursor = Math.max(0, first - 1)
  const url = `${o.relay.replace(/\/$/, '')}/xrpc/com.atproto.sync.subscribeRepos?cursor=${replay.cursor}`
  await new Promise((resolve) => {
    const ws = new WebSocket(url, { maxPayload: 8 * 1024 * 1024 })
    let prev = null
    const timer = setTimeout(() => { log(`replay timed out at seq ${prev}`); ws.terminate(); resolve() }, Number(o['timeout-s']) * 1000)
    const done = () => { clearTimeout(timer); ws.terminate(); resolve() }
    ws.on('message', (data) => {
      const frame = Frame.fromBytes(new Uint8Array(data))
      if (frame.isError()) {
        replay.errorFrames.push({ error: frame.code, message: frame.message })
        return done()
      }
      const type = (frame.header.t ?? '').replace(/^#/, '')
      const seq = frame.body?.seq
      if (typeof seq !== 'number' || seq < first) return
      if (seq > last) return done()
      if (prev !== null && seq === prev) replay.duplicates++
      else if (prev !== null && seq < prev) replay.outOfOrder++
      prev = Math.max(prev ?? seq, seq)
      replay.events++
      replay.byType[type] = (replay.byType[type] ?? 0) + 1
      const did = frame.body.repo ?? frame.body.did
      const key = eventKey(type, frame.body)
      if (key !== null) {
        const earlier = eventKeys.get(key)
        if (earlier !== undefined && type === 'sync') {
          // a PDS may emit the very same #sync twice (same rev, same time: seen on reactivation), so
          // only step 8's compare-captures, which has the PDS's own stream, can call one relayed twice
          replay.repeatedSyncs.push({ did, rev: frame.body.rev, time: frame.body.time, seqs: [earlier, seq] })
        } else if (earlier !== undefined) {
          replay.repeatedEvents++
          if (replay.repeatedSamples.length < 20) {
            replay.repeatedSamples.push({ type, did, rev: frame.body.rev, since: frame.body.since, commit: frame.body.commit?.toString(),
              time: frame.body.time, seqs: [earlier, seq] })
          }
        } else eventKeys.set(key, seq)
      }
      seenDids.add(did)
      const pds = didToPds.get(did)
      if (!pds) replay.unknownDid++
      else if (TYPES.includes(type)) perPds[pds][type]++
      if (seq === last) { replay.complete = true; done() }
    })
    ws.on('error', (err) => { replay.errorFrames.push({ error: 'socket', message: String(err.message ?? err) }); done() })
    ws.on('close', () => done())
  })
}
const liveByType = cons.byType ?? {}
const replayMatchesLive = [...new Set([...Object.keys(liveByType), ...Object.keys(replay.byType)])]
  .every((t) => (liveByType[t] ?? 0) === (replay.byType[t] ?? 0))

// ---- 2. per PDS, per type ----
const hosts = {}
let hostsMatch = true
for (const [url, exp] of Object.entries(load.expectedEvents.perPds)) {
  hosts[url] = Object.fromEntries(TYPES.map((t) => [t, { expected: exp[t], observed: perPds[url]?.[t] ?? 0 }]))
  if (TYPES.some((t) => exp[t] !== (perPds[url]?.[t] ?? 0))) hostsMatch = false
}

// ---- 3. account state on the relay vs the PDS ----
const rel = o['relay-http'].replace(/\/$/, '')
const accountState = { checked: 0, mismatches: [], getRepoStatus: null, listRepos: null }
const mismatch = (m) => { if (accountState.mismatches.length < 20) accountState.mismatches.push(m); accountState.mismatchCount = (accountState.mismatchCount ?? 0) + 1 }
const norm = (r) => ({ active: r.active !== false, status: r.active === false ? (r.status ?? null) : null, rev: r.rev ?? null })
const dids = [...seenDids].filter((d) => pdsRepos.has(d))
const probe = await getJson(`${rel}/xrpc/com.atproto.sync.getRepoStatus?did=${encodeURIComponent(dids[0] ?? 'did:plc:none')}`)
if (probe.status === 404 && probe.body?.error !== 'RepoNotFound') {
  accountState.getRepoStatus = 'not served by the relay (HTTP 404): not checked'
} else {
  accountState.getRepoStatus = 'checked'
  for (const did of dids) {
    const r = await getJson(`${rel}/xrpc/com.atproto.sync.getRepoStatus?did=${encodeURIComponent(did)}`)
    accountState.checked++
    const want = norm(pdsRepos.get(did))
    if (r.status !== 200) { mismatch({ did, via: 'getRepoStatus', status: r.status, body: r.body }); continue }
    const got = norm(r.body)
    if (got.active !== want.active || got.status !== want.status || (got.rev ?? want.rev) !== want.rev)
      mismatch({ did, via: 'getRepoStatus', relay: got, pds: want })
  }
}
const relayList = await listRepos(rel)
if (relayList.status === 404) {
  accountState.listRepos = 'not served by the relay (HTTP 404): not checked'
} else if (relayList.status !== 200) {
  accountState.listRepos = `HTTP ${relayList.status}`
  mismatch({ via: 'listRepos', status: relayList.status, body: relayList.error })
} else {
  accountState.listRepos = 'checked'
  const byDid = new Map(relayList.repos.map((r) => [r.did, r]))
  for (const did of dids) {
    const r = byDid.get(did)
    const p = pdsRepos.get(did)
    if (!r) { mismatch({ did, via: 'listRepos', relay: 'missing' }); continue }
    const got = norm(r)
    const want = norm(p)
    if (got.active !== want.active || got.status !== want.status || r.rev !== p.rev || r.head !== p.head)
      mismatch({ did, via: 'listRepos', relay: { ...got, head: r.head }, pds: { ...want, head: p.head } })
  }
}

const ok = replay.complete && replayMatchesLive && replay.duplicates === 0 && replay.outOfOrder === 0 && replay.repeatedEvents === 0 &&
  replay.unknownDid === 0 && hostsMatch && !accountState.mismatchCount
console.log(JSON.stringify({
  result: ok ? 'PASS' : 'FAIL',
  perPds: hosts,
  replay: { ...replay, first, last, matchesLive: replayMatchesLive },
  accountState,
}))
process.exit(ok ? 0 : 1)
