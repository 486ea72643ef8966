// In-place complex FFT of lines (rows or columns) of a batch of stamps.
// Workgroup (x = line group, y = stamp). Loads and stores walk the contiguous
// direction fastest so that a workgroup of several columns reads whole row segments.

@group(0) @binding(2) var<storage, read_write> data: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let lid = laneOf(li);
  let first = firstLine(wg.x, li);
  let stamp = P.srcBase + wg.y * P.srcStampStride;
  let rowsContiguous = P.srcElemStride == 1u;
  for (var f = lid; f < HALF; f += STRIDE) {
    var line = f / M;
    var e = f % M;
    if (!rowsContiguous) { line = f % LPW; e = f / LPW; }
    if (first + line < P.lines) {
      sm[line * M + e] = data[stamp + (first + line) * P.srcLineStride + e * P.srcElemStride];
    }
  }
  stageSync();
  let r = stockham(lid);
  for (var f = lid; f < HALF; f += STRIDE) {
    var line = f / M;
    var e = f % M;
    if (!rowsContiguous) { line = f % LPW; e = f / LPW; }
    if (first + line < P.lines) {
      data[stamp + (first + line) * P.srcLineStride + e * P.srcElemStride] = sm[r + line * M + e] * P.scale;
    }
  }
}
