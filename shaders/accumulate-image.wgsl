// Model images by gathering, one chunk of a tier at a time: one workgroup per image tile
// the chunk touches adds, for each of its pixels, the chunk's stamps listed for the tile
// in engine order to the model value (fixed order, no atomics: bit-identical results run
// to run; a pixel's value is the sequential sum of its stamps in engine order over all
// chunks). A tile's first chunk starts from 0 instead of the previous step's model.
//
// lay (u32): quadrants at 0 (4 words: nx, ny, first pixel, _), tiles at G.tileBase
//   (4 words: quadrant, x origin, y origin, _), gather records at G.recordBase (2 words:
//   tile | first-touch bit 31, first list entry; the next record — or the sentinel after
//   the last — holds the list end), lists at G.listBase (engine pair indices).

struct ChunkUniform {
  pairBase: u32,
  count: u32,
  recordStart: u32,
  nRecords: u32,
}

struct LayoutUniform {
  tileBase: u32,
  recordBase: u32,
  listBase: u32,
  nTiles: u32,
}

@group(0) @binding(0) var<uniform> U: ChunkUniform;
@group(0) @binding(1) var<uniform> G: LayoutUniform;
@group(0) @binding(2) var<storage, read> lay: array<u32>;
@group(0) @binding(3) var<storage, read> pairs: array<PairStatic>;
@group(0) @binding(4) var<storage, read> stamps: array<f32>;
@group(0) @binding(5) var<storage, read_write> model: array<f32>;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let k = wg.x + wg.y * 65535u;
  if (k >= U.nRecords) { return; }
  let rb = G.recordBase + 2u * (U.recordStart + k);
  let tw = lay[rb];
  let first = (tw & 0x80000000u) != 0u;
  let tb = G.tileBase + 4u * (tw & 0x7fffffffu);
  let q = lay[tb];
  let nx = lay[4u * q];
  let ny = lay[4u * q + 1u];
  let px = lay[tb + 1u] + lid.x;
  let py = lay[tb + 2u] + lid.y;
  if (px >= nx || py >= ny) { return; }
  let pix = lay[4u * q + 2u] + py * nx + px;
  var m = select(model[pix], 0.0, first);
  let end = lay[rb + 3u];
  for (var l = lay[rb + 1u]; l < end; l++) {
    let st = pairs[lay[G.listBase + l]];
    let i = i32(px) - st.x0;
    let j = i32(py) - st.y0;
    let n = i32(st.n);
    if (i >= 0 && i < n && j >= 0 && j < n) {
      m += stamps[st.stampOffset + u32(j * n + i)];
    }
  }
  model[pix] = m;
}
