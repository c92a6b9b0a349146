// Fetches the PLC audit log (/{did}/log/audit) of every DID in recorded
// firehoses, as one JSON map DID -> log: what `verify --plc-audit-log` reads to
// judge each commit by the key in force when it was signed (a key rotation
// makes today's key wrong for the commits before it).
//
//   node plc-audit.mjs --plc http://localhost:2582 --out audit.json FILE...
// Loopback only.
import './polyfills.mjs'
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { decodeAll } from '@atproto/lex-cbor'

const { values: o, positionals: files } = parseArgs({
  allowPositionals: true,
  options: { plc: { type: 'string' }, out: { type: 'string' } },
})
if (!o.plc || !o.out || !files.length) {
  console.error('usage: node plc-audit.mjs --plc URL --out FILE FRAMES...')
  process.exit(2)
}
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(o.plc).hostname)) throw new Error(`not loopback: ${o.plc}`)
const dids = new Set()
for (const file of files) {
  const buf = fs.readFileSync(file)
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32BE(at)
    try {
      const [, body] = decodeAll(buf.subarray(at + 4, at + 4 + len))
      const did = body?.repo ?? body?.did
      if (typeof did === 'string' && did.startsWith('did:plc:')) dids.add(did)
    } catch {
      // not decodable: verify judges it
    }
    at += 4 + len
  }
}
const out = {}
for (const did of [...dids].sort()) {
  const res = await fetch(`${o.plc.replace(/\/$/, '')}/${did}/log/audit`)
  if (res.status !== 200) throw new Error(`${did}: PLC audit log HTTP ${res.status}`)
  out[did] = await res.json()
}
fs.writeFileSync(o.out, JSON.stringify(out))
console.log(JSON.stringify({ dids: dids.size, out: o.out }))
