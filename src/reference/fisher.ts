// Gauss–Newton (Fisher) matrix of χ²/2 in the natural parameters, float64 (DESIGN §2,
// "Uncertainties"):  F_ab = Σ_pixels ivar · ∂model/∂θa · ∂model/∂θb.
// It is the exact Hessian of χ²/2 when the residuals vanish (noiseless data at the truth)
// and its expectation over noise otherwise; the −Σ ivar·r·∂²model term is dropped.
//
// Derivative stamps. For one pair, ∂stamp/∂θ = Re IDFT(∂M/∂θ) with the analytic ∂M/∂θ of
// gradient.ts (flux, hlr, e1, e2, dx, dy and g1, g2 for galaxies; flux, dx, dy for stars),
// clipped into the quadrant exactly like the model stamp.
//
// Two forms:
// - fisherBlocks: the per-source blocks the Laplace approximation needs — for each source
//   its own k×k block (k = 6 galaxy, 3 star), its 2×k coupling to (g1, g2) and its
//   contribution to the (g, g) block. Cross-source terms (two sources' stamps overlapping
//   on the same pixels) are NOT included; they are exactly 0 when stamp footprints are
//   disjoint. Assumes one pair per (source, quadrant), which the scene builder guarantees
//   (checked).
// - denseFisher: the full n×n matrix, cross-source terms included (tests, small scenes).

import { centredFrequency, idft2Centred } from './fft64';
import { forEachClipped, paramCount, sourceOffsets, validateScene, type Pair, type Scene } from './scene';
import { HLR_OVER_R0, inv2, scaleRadius, shapeMatrix, exponentialFt, vDAtq } from './shape';
import { psfSpectrum, skyFrequency, stampCentre } from './stamp';

export interface PairDerivatives {
  /** Parameter-vector index of each derivative stamp. */
  indices: number[];
  /** ∂stamp/∂θ, N×N row-major (ADU per unit of θ), same order as indices. */
  stamps: Float64Array[];
}


/**
 * Derivative stamps of one pair. Galaxy: indices [g1, g2, flux, hlr, e1, e2, dx, dy];
 * star: [flux, dx, dy].
 */
export function pairDerivativeStamps(scene: Scene, pair: Pair, params: Float64Array, offsets = sourceOffsets(scene)): PairDerivatives {
  const n = pair.n;
  const o = offsets[pair.source];
  const isGalaxy = scene.sources[pair.source].kind === 'galaxy';
  const pk = psfSpectrum(pair.psf, pair.psfSize, n);
  const ji = inv2(pair.jac);
  const flux = params[o];
  const [dxi, dyi] = isGalaxy ? [o + 4, o + 5] : [o + 1, o + 2];
  const [cx, cy] = stampCentre(pair, params[dxi], params[dyi]);
  const shape = isGalaxy ? shapeMatrix(params[0], params[1], params[o + 2], params[o + 3]) : null;
  const r0 = isGalaxy ? scaleRadius(params[o + 1]) : 0;
  const indices = isGalaxy ? [0, 1, o, o + 1, o + 2, o + 3, dxi, dyi] : [o, dxi, dyi];
  const nd = indices.length;
  const re = Array.from({ length: nd }, () => new Float64Array(n * n));
  const im = Array.from({ length: nd }, () => new Float64Array(n * n));
  for (let j = 0; j < n; j++) {
    const ky = centredFrequency(j, n);
    for (let i = 0; i < n; i++) {
      const kx = centredFrequency(i, n);
      const t = j * n + i;
      const [qu, qv] = skyFrequency(ji, kx, ky);
      let amp = pair.aduPerUJy;
      let vu = 0;
      let vv = 0;
      let Q = 0;
      if (shape) {
        vu = shape.A[0] * qu + shape.A[2] * qv;
        vv = shape.A[1] * qu + shape.A[3] * qv;
        Q = r0 * r0 * (vu * vu + vv * vv);
        amp *= exponentialFt(vu * vu + vv * vv, r0);
      }
      const ph = -(kx * cx + ky * cy);
      const er = Math.cos(ph);
      const ei = Math.sin(ph);
      // M1 = ∂M/∂flux; M = flux·M1
      const m1r = amp * (pk.re[t] * er - pk.im[t] * ei);
      const m1i = amp * (pk.re[t] * ei + pk.im[t] * er);
      const mr = flux * m1r;
      const mi = flux * m1i;
      const set = (d: number, fr: number, fi: number) => {
        re[d][t] = fr;
        im[d][t] = fi;
      };
      // offsets: ∂M/∂d = M·(−i q)
      const base = shape ? 2 : 0;
      set(base, m1r, m1i);
      set(nd - 2, qu * mi, -qu * mr);
      set(nd - 1, qv * mi, -qv * mr);
      if (shape) {
        const w = -1.5 / (1 + Q); // ∂ln Ĩ0/∂Q
        const sHlr = (w * 2 * r0 * (vu * vu + vv * vv)) / HLR_OVER_R0;
        const w2 = w * 2 * r0 * r0;
        const sG1 = w2 * vDAtq(vu, vv, shape.dA_dg1, qu, qv);
        const sG2 = w2 * vDAtq(vu, vv, shape.dA_dg2, qu, qv);
        const sE1 = w2 * vDAtq(vu, vv, shape.dA_de1, qu, qv);
        const sE2 = w2 * vDAtq(vu, vv, shape.dA_de2, qu, qv);
        set(0, sG1 * mr, sG1 * mi);
        set(1, sG2 * mr, sG2 * mi);
        set(3, sHlr * mr, sHlr * mi);
        set(4, sE1 * mr, sE1 * mi);
        set(5, sE2 * mr, sE2 * mi);
      }
    }
  }
  return { indices, stamps: re.map((r, d) => idft2Centred(r, im[d], n).re) };
}

export interface SourceFisherBlock {
  source: number;
  /** Index of the source's first parameter in the parameter vector. */
  offset: number;
  /** Number of source parameters: 6 (galaxy) or 3 (star). */
  k: number;
  /** k×k, row-major, in the source's parameter order. */
  ss: Float64Array;
  /** 2×k: row 0 = ∂g1, row 1 = ∂g2 (zeros for stars). */
  gs: Float64Array;
  /** This source's 2×2 contribution to the (g, g) block. */
  gg: Float64Array;
}

export interface FisherBlocks {
  n: number;
  /** Σ over sources of their (g, g) contributions (cross-source terms excluded). */
  gg: Float64Array;
  sources: SourceFisherBlock[];
}

/** Per-source Fisher blocks of χ²/2 (no cross-source terms; see the file header). */
export function fisherBlocks(scene: Scene, params: Float64Array): FisherBlocks {
  validateScene(scene, params);
  const offsets = sourceOffsets(scene);
  const seen = new Set<string>();
  const blocks: SourceFisherBlock[] = scene.sources.map((s, i) => {
    const k = s.kind === 'galaxy' ? 6 : 3;
    return { source: i, offset: offsets[i], k, ss: new Float64Array(k * k), gs: new Float64Array(2 * k), gg: new Float64Array(4) };
  });
  scene.pairs.forEach((pair, p) => {
    const key = `${pair.source}/${pair.quadrant}`;
    if (seen.has(key)) throw new RangeError(`pair ${p}: source ${pair.source} has a second pair in quadrant ${pair.quadrant}`);
    seen.add(key);
    const q = scene.quadrants[pair.quadrant];
    const d = pairDerivativeStamps(scene, pair, params, offsets);
    const b = blocks[pair.source];
    // local index in the full derivative list → role: g (0, 1) or source parameter (0…k−1)
    const isGalaxy = d.indices.length === 8;
    const nd = d.indices.length;
    const acc = new Float64Array(nd * nd);
    forEachClipped(pair, q, (s, t) => {
      const w = q.ivar[t];
      if (w === 0) return;
      for (let a = 0; a < nd; a++) {
        const wa = w * d.stamps[a][s];
        for (let c = a; c < nd; c++) acc[a * nd + c] += wa * d.stamps[c][s];
      }
    });
    for (let a = 0; a < nd; a++) for (let c = 0; c < a; c++) acc[a * nd + c] = acc[c * nd + a];
    const g0 = isGalaxy ? 2 : 0; // first source-parameter slot in the derivative list
    for (let a = 0; a < b.k; a++) for (let c = 0; c < b.k; c++) b.ss[a * b.k + c] += acc[(g0 + a) * nd + g0 + c];
    if (isGalaxy) {
      for (let r = 0; r < 2; r++) for (let c = 0; c < b.k; c++) b.gs[r * b.k + c] += acc[r * nd + g0 + c];
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) b.gg[r * 2 + c] += acc[r * nd + c];
    }
  });
  const gg = new Float64Array(4);
  for (const b of blocks) for (let i = 0; i < 4; i++) gg[i] += b.gg[i];
  return { n: paramCount(scene), gg, sources: blocks };
}

/** The full n×n Fisher matrix of χ²/2 (row-major), cross-source terms included. */
export function denseFisher(scene: Scene, params: Float64Array): Float64Array {
  validateScene(scene, params);
  const offsets = sourceOffsets(scene);
  const n = paramCount(scene);
  // ∂model/∂θ per quadrant, summed over pairs; allocated on demand.
  const D = scene.quadrants.map(() => new Map<number, Float64Array>());
  for (const pair of scene.pairs) {
    const q = scene.quadrants[pair.quadrant];
    const d = pairDerivativeStamps(scene, pair, params, offsets);
    d.indices.forEach((idx, a) => {
      let img = D[pair.quadrant].get(idx);
      if (!img) D[pair.quadrant].set(idx, (img = new Float64Array(q.nx * q.ny)));
      const st = d.stamps[a];
      forEachClipped(pair, q, (s, t) => {
        img![t] += st[s];
      });
    });
  }
  const F = new Float64Array(n * n);
  scene.quadrants.forEach((q, k) => {
    const entries = [...D[k].entries()].sort((x, y) => x[0] - y[0]);
    for (const [a, da] of entries) {
      for (const [b, db] of entries) {
        if (b < a) continue;
        let s = 0;
        for (let t = 0; t < da.length; t++) if (q.ivar[t] !== 0) s += q.ivar[t] * da[t] * db[t];
        F[a * n + b] += s;
        if (a !== b) F[b * n + a] += s;
      }
    }
  });
  return F;
}
