// Memory variant for CPU adapters (SwiftShader): each invocation transforms one
// whole line in private memory, with no barriers. Same arithmetic in the same
// order as the workgroup variant. The TS driver prepends LPW = 1 and STRIDE = 1.

var<private> sm: array<vec2<f32>, 2u * M>;

fn laneOf(li: u32) -> u32 { return 0u; }
fn firstLine(group: u32, li: u32) -> u32 { return group * WG + li; }
fn stageSync() {}
