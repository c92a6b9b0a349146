// Tampers a recorded firehose in each way jlay's validator knows, with the
// official JavaScript codecs (@atproto/lex-cbor, @atproto/repo's CAR code), and
// checks that `verify` flags exactly the tampered frames with the right reason.
//
//   node tamper.mjs make IN OUT EXPECT.json     write OUT (IN with tampered frames) and the expectations
//   node tamper.mjs check EXPECT.json VERIFY.jsonl   verify's output on OUT must match them exactly
//   node tamper.mjs clean IN VERIFY.jsonl       verify's output on IN: every frame valid
//
// Each tamper hits a #commit of a different repo (active, with prevData, ops and
// at least three CAR blocks), and is chosen so that the validator's specific
// check is the first one that fails; where the change is semantic the frame is
// re-encoded as valid DAG-CBOR (and the CAR rebuilt), so no earlier check trips:
//   signature   one byte of the commit's sig flipped; commit block, its CID, the
//               CAR root and the message's commit field rebuilt -> bad_signature
//   op-removed  the last op dropped from the message (the signed tree still has
//               it)                                               -> inversion_failed
//   prevData    prevData set to another valid CID                 -> inversion_failed
//   rev-rewound the message's rev set back to its since (the signed commit keeps
//               its rev; re-signing is impossible without the key) -> rev_mismatch
//   car-swap    two non-commit blocks trade places under each other's CIDs -> bad_car
//   truncated   the message cut to half its length               -> malformed_frame
//   replayed    an older commit of another repo appended at the end (its rev
//               goes backwards: a replay)                         -> stale_rev
// Only the tampered frames may be invalid; the next commit of a tampered repo
// (before any #sync of it) must be a discontinuity, since its since/prevData no
// longer meet the stored state, and nothing else may be.
import './polyfills.mjs'
import fs from 'node:fs'
import { decode, decodeAll, encode, cidForLex } from '@atproto/lex-cbor'
import { BlockMap, blocksToCarFile, readCarWithRoot } from '@atproto/repo'

const [mode, ...args] = process.argv.slice(2)

function readFrames(file) {
  const buf = fs.readFileSync(file)
  const frames = []
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32BE(at)
    frames.push(buf.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  return frames
}
function writeFrames(file, frames) {
  const parts = []
  for (const f of frames) {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(f.length)
    parts.push(len, Buffer.from(f))
  }
  fs.writeFileSync(file, Buffer.concat(parts))
}
const decodeFrame = (bytes) => {
  const [header, body] = decodeAll(bytes)
  return { header, body }
}
const encodeFrame = (header, body) => Buffer.concat([Buffer.from(encode(header)), Buffer.from(encode(body))])
const readVerify = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))

/** The first later #commit of the repo, unless a #sync of it comes first: where its chain visibly breaks. */
function nextCommitOf(frames, from, did) {
  for (let j = from + 1; j < frames.length; j++) {
    const { header, body } = decodeFrame(frames[j])
    if (header.t === '#commit' && body.repo === did) return j
    if (header.t === '#sync' && body.did === did) return null
  }
  return null
}

async function make(inFile, outFile, expectFile) {
  const frames = readFrames(inFile)
  const decoded = frames.map(decodeFrame)
  const active = new Map()
  const candidates = []
  for (let i = 0; i < decoded.length; i++) {
    const { header, body } = decoded[i]
    if (header.t === '#account') active.set(body.did, body.active)
    if (header.t !== '#commit' || active.get(body.repo) === false) continue
    if (!body.prevData || !body.ops?.length || body.tooBig) continue
    const car = await readCarWithRoot(body.blocks)
    if (car.blocks.size < 3) continue
    candidates.push({ i, did: body.repo, car })
  }
  // repos active at the end, for the replayed commit
  const kinds = ['signature', 'op-removed', 'prevData', 'rev-rewound', 'car-swap', 'truncated']
  const victims = []
  const used = new Set()
  // spread over the file: start a third of the way in, one victim per repo
  for (const c of candidates.slice(Math.floor(candidates.length / 3))) {
    if (victims.length === kinds.length) break
    if (used.has(c.did)) continue
    used.add(c.did)
    victims.push(c)
  }
  if (victims.length < kinds.length) throw new Error(`only ${victims.length} usable commits of distinct repos`)
  // the replayed commit: a later commit of its repo must exist, so replaying it is stale. A repo no
  // other tamper touched is preferred; on a slow run (few commits) any untampered commit will do:
  // it is appended at the end, so the tampered repo's own verdicts do not change
  const victimIndex = new Set(victims.map((v) => v.i))
  const replayable = (c) => active.get(c.did) !== false && !victimIndex.has(c.i)
    && candidates.some((d) => d.did === c.did && d.i > c.i && !victimIndex.has(d.i))
  const replayed = candidates.find((c) => !used.has(c.did) && replayable(c)) ?? candidates.find(replayable)
  if (!replayed) throw new Error('no repo with two untampered commits for the replay')

  const out = [...frames]
  const tampered = []
  for (let k = 0; k < kinds.length; k++) {
    const { i, did, car } = victims[k]
    const { header, body } = decoded[i]
    let bytes, reason
    switch (kinds[k]) {
      case 'signature': {
        const commit = decode(car.blocks.get(car.root))
        const sig = Uint8Array.from(commit.sig)
        sig[10] ^= 0x01
        const signed = { ...commit, sig }
        const cid = await cidForLex(signed)
        const blocks = new BlockMap()
        blocks.set(cid, encode(signed))
        for (const e of car.blocks.entries()) if (!e.cid.equals(car.root)) blocks.set(e.cid, e.bytes)
        bytes = encodeFrame(header, { ...body, commit: cid, blocks: await blocksToCarFile(cid, blocks) })
        reason = 'bad_signature'
        break
      }
      case 'op-removed':
        bytes = encodeFrame(header, { ...body, ops: body.ops.slice(0, -1) })
        reason = 'inversion_failed'
        break
      case 'prevData':
        bytes = encodeFrame(header, { ...body, prevData: await cidForLex({ tampered: 'not the previous tree' }) })
        reason = 'inversion_failed'
        break
      case 'rev-rewound': {
        // back to the previous rev when there is one, else one microsecond-ish TID step back
        const rev = body.since ?? body.rev.slice(0, -1) + (body.rev.at(-1) === '2' ? '3' : '2')
        bytes = encodeFrame(header, { ...body, rev })
        reason = 'rev_mismatch'
        break
      }
      case 'car-swap': {
        const entries = car.blocks.entries().filter((e) => !e.cid.equals(car.root))
        const blocks = new BlockMap()
        blocks.set(car.root, car.blocks.get(car.root))
        blocks.set(entries[0].cid, entries[1].bytes)
        blocks.set(entries[1].cid, entries[0].bytes)
        for (const e of entries.slice(2)) blocks.set(e.cid, e.bytes)
        bytes = encodeFrame(header, { ...body, blocks: await blocksToCarFile(car.root, blocks) })
        reason = 'bad_car'
        break
      }
      case 'truncated':
        bytes = frames[i].subarray(0, Math.floor(frames[i].length / 2))
        reason = 'malformed_frame'
        break
    }
    out[i] = bytes
    tampered.push({ index: i, kind: kinds[k], reason, repo: did, seq: body.seq, nextCommit: nextCommitOf(frames, i, did) })
  }
  out.push(frames[replayed.i])
  tampered.push({ index: out.length - 1, kind: 'replayed', reason: 'stale_rev', repo: replayed.did,
    seq: decoded[replayed.i].body.seq, nextCommit: null, replayOf: replayed.i })
  writeFrames(outFile, out)
  fs.writeFileSync(expectFile, JSON.stringify({ frames: out.length, tampered }, null, 1))
  console.log(JSON.stringify({ tampered: tampered.map(({ index, kind, reason }) => ({ index, kind, reason })) }))
}

function check(expectFile, verifyFile) {
  const expect = JSON.parse(fs.readFileSync(expectFile, 'utf8'))
  const lines = readVerify(verifyFile)
  const summary = lines.at(-1)?.summary ? lines.pop() : null
  const problems = []
  if (lines.length !== expect.frames) problems.push(`verify printed ${lines.length} frame lines for ${expect.frames} frames`)
  const want = new Map(expect.tampered.map((t) => [t.index, t]))
  const gaps = new Set(expect.tampered.map((t) => t.nextCommit).filter((j) => j !== null))
  const flagged = []
  for (const l of lines) {
    const t = want.get(l.index)
    if (t) {
      flagged.push({ index: l.index, kind: t.kind, expected: t.reason, verdict: l.verdict, reason: l.reason })
      if (l.verdict !== 'invalid' || l.reason !== t.reason) problems.push(`frame ${l.index} (${t.kind}): ${l.verdict} ${l.reason}, expected invalid ${t.reason}`)
    } else if (gaps.has(l.index)) {
      if (l.verdict !== 'discontinuity') problems.push(`frame ${l.index} (next commit of a tampered repo): ${l.verdict}, expected discontinuity`)
    } else if (l.verdict !== 'valid') {
      problems.push(`frame ${l.index} (untouched): ${l.verdict} ${l.reason ?? ''}`)
    }
  }
  const ok = problems.length === 0
  console.log(JSON.stringify({ result: ok ? 'PASS' : 'FAIL', check: 'tampered', frames: lines.length,
    invalid: summary?.invalid, discontinuity: summary?.discontinuity, flagged, problems: problems.slice(0, 20) }))
  process.exit(ok ? 0 : 1)
}

function clean(inFile, verifyFile) {
  const frames = readFrames(inFile)
  const lines = readVerify(verifyFile)
  const summary = lines.at(-1)?.summary ? lines.pop() : null
  const byType = {}
  for (const f of frames) {
    const t = decodeFrame(f).header.t
    byType[t] = (byType[t] ?? 0) + 1
  }
  const bad = lines.filter((l) => l.verdict !== 'valid')
  const ok = bad.length === 0 && lines.length === frames.length && frames.length > 0
  console.log(JSON.stringify({ result: ok ? 'PASS' : 'FAIL', check: 'clean', frames: frames.length, byType,
    valid: summary?.valid, notValid: bad.slice(0, 10) }))
  process.exit(ok ? 0 : 1)
}

if (mode === 'make' && args.length === 3) await make(...args)
else if (mode === 'check' && args.length === 2) check(...args)
else if (mode === 'clean' && args.length === 2) clean(...args)
else {
  console.error('usage: tamper.mjs make IN OUT EXPECT.json | check EXPECT.json VERIFY.jsonl | clean IN VERIFY.jsonl')
  process.exit(2)
}
