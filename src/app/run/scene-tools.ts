// Scene-level tools of the workbench's engine worker, pure (no GPU) so they are tested in Node:
// which parameters a run may move, and the scene without excluded sources.
import { paramsPerSource, type Scene } from '../../reference/scene';
import type { Objective } from '../../engine/optim/objective';
import type { FreeGroups } from '../../state/run';

/** Roles of each parameter group in the layout of src/reference/scene.ts. */
const GROUP_ROLES: Record<keyof FreeGroups, string[]> = {
  shear: ['g1', 'g2'],
  flux: ['flux'],
  size: ['hlr'],
  shape: ['e1', 'e2'],
  offsets: ['dx', 'dy'],
};

function sourceRoles(kind: 'galaxy' | 'star'): string[] {
  return kind === 'galaxy' ? ['flux', 'hlr', 'e1', 'e2', 'dx', 'dy'] : ['flux', 'dx', 'dy'];
}

/**
 * 1 for parameters the run may move, 0 for fixed ones. `onlySources` (scene source indices)
 * frees those sources alone and fixes the shear: a local refit must not move the global shear.
 */
export function freeMask(scene: Pick<Scene, 'sources'>, free: FreeGroups, onlySources?: ReadonlySet<number>): Uint8Array {
  const on = new Set<string>();
  for (const [g, roles] of Object.entries(GROUP_ROLES)) if (free[g as keyof FreeGroups]) roles.forEach((r) => on.add(r));
  const n = 2 + scene.sources.reduce((a, s) => a + paramsPerSource(s.kind), 0);
  const mask = new Uint8Array(n);
  if (!onlySources) mask[0] = mask[1] = on.has('g1') ? 1 : 0;
  let o = 2;
  scene.sources.forEach((s, i) => {
    const roles = sourceRoles(s.kind);
    const sourceFree = !onlySources || onlySources.has(i);
    roles.forEach((r, k) => (mask[o + k] = sourceFree && on.has(r) ? 1 : 0));
    o += roles.length;
  });
  return mask;
}

export interface SubScene {
  scene: Scene;
  /** Full-scene index of each kept source. */
  kept: number[];
  /** Parameter index in the full vector of each sub-scene parameter. */
  paramMap: Int32Array;
}

/** The scene without the sources whose indices are in `drop` (their pairs go too; indices renumbered). */
export function withoutSources(scene: Scene, drop: ReadonlySet<number>): SubScene {
  const kept: number[] = [];
  const newIndex = new Int32Array(scene.sources.length).fill(-1);
  scene.sources.forEach((_, i) => {
    if (!drop.has(i)) {
      newIndex[i] = kept.length;
      kept.push(i);
    }
  });
  const pairs = scene.pairs.filter((p) => newIndex[p.source] >= 0).map((p) => ({ ...p, source: newIndex[p.source] }));
  const map: number[] = [0, 1];
  let o = 2;
  const offsets = scene.sources.map((s) => {
    const at = o;
    o += paramsPerSource(s.kind);
    return at;
  });
  for (const i of kept) for (let k = 0; k < paramsPerSource(scene.sources[i].kind); k++) map.push(offsets[i] + k);
  return { scene: { ...scene, sources: kept.map((i) => scene.sources[i]), pairs }, kept, paramMap: Int32Array.from(map) };
}

export function gatherParams(full: Float64Array, map: Int32Array): Float64Array {
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = full[map[i]];
  return out;
}

/** Write a sub-scene vector back into (a copy of) the full vector. */
export function scatterParams(full: Float64Array, sub: ArrayLike<number>, map: Int32Array): Float64Array {
  const out = Float64Array.from(full);
  for (let i = 0; i < map.length; i++) out[map[i]] = sub[i];
  return out;
}

/**
 * The objective with the gradient of fixed parameters (mask 0) zeroed. L-BFGS then never moves
 * them (every step and curvature pair has zeros there) and neither does Adam (zero moments);
 * the transform of optim/transform.ts is per coordinate, or per (e1, e2) / (g1, g2) pair, which
 * are fixed together. `before` runs ahead of every evaluation (the worker's pause gate).
 */
export function maskedObjective(inner: Objective, mask: Uint8Array, before?: () => Promise<void>): Objective {
  if (mask.length !== inner.n) throw new RangeError(`mask has ${mask.length} entries, the objective ${inner.n} parameters`);
  return {
    n: inner.n,
    async evaluate(x, wantGrad) {
      if (before) await before();
      const r = await inner.evaluate(x, wantGrad);
      if (!r.grad) return r;
      const grad = Float64Array.from(r.grad);
      for (let i = 0; i < mask.length; i++) if (!mask[i]) grad[i] = 0;
      return { loss: r.loss, grad };
    },
  };
}

/** `params` with the fixed entries (mask 0) set back to `start`: the unconstrained round trip may move them by an ulp. */
export function keepFixed(params: Float64Array, start: Float64Array, mask: Uint8Array): Float64Array {
  const out = Float64Array.from(params);
  for (let i = 0; i < mask.length; i++) if (!mask[i]) out[i] = start[i];
  return out;
}
