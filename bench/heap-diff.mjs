// What a piece of retained state is made of: two heap snapshots of this process (written to files, so
// nothing the comparison keeps is in the second one), the objects of the second that the first did not
// have (compiled code left out), grouped by constructor (or V8 type), self size summed. core.mjs uses it for the open-series
// breakdown in BENCHMARKS.md: the memory counterpart of a CPU profile.
import { readFileSync, rmSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

function read(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(file);
  const {
    node_fields: fields,
    node_types: [types],
  } = snap.snapshot.meta;
  const [iType, iName, iId, iSize] = ['type', 'name', 'id', 'self_size'].map((f) => fields.indexOf(f));
  const nodes = new Map();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    const name = type === 'object' || type === 'closure' ? snap.strings[snap.nodes[i + iName]] : `(${type})`;
    nodes.set(snap.nodes[i + iId], [name, snap.nodes[i + iSize]]);
  }
  return nodes;
}

/** Runs `grow()` between two snapshots; returns the new objects' bytes by constructor, divided by `per`. */
export async function heapDiff(dir, grow, per, top = 12) {
  const first = writeHeapSnapshot(`${dir}/before.heapsnapshot`);
  const keep = await grow();
  const second = writeHeapSnapshot(`${dir}/after.heapsnapshot`);
  const before = read(first);
  const by = new Map();
  for (const [id, [name, size]] of read(second)) {
    if (before.has(id) || name === '(code)') continue; // compiled code is the JIT's, not the state's
    by.set(name, (by.get(name) ?? 0) + size);
  }
  const rows = [...by]
    .map(([name, bytes]) => ({ name, bytes: bytes / per }))
    .sort((a, b) => b.bytes - a.bytes);
  return { keep, rows: rows.slice(0, top), rest: rows.slice(top).reduce((n, r) => n + r.bytes, 0) };
}
