// Memory variant for GPUs: the workgroup shares LPW lines in workgroup memory and
// every invocation does butterflies of every line; a barrier per stage.
// The TS driver prepends LPW and STRIDE (= WG).

var<workgroup> sm: array<vec2<f32>, 2u * LPW * M>;

fn laneOf(li: u32) -> u32 { return li; }
fn firstLine(group: u32, li: u32) -> u32 { return group * LPW; }
fn stageSync() { workgroupBarrier(); }
