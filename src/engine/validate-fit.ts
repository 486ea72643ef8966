// Statistical validation of the whole fit (fit.ts) on simulated sub-tiles (slow; not in the test run).
//
//   npx tsx src/engine/validate-fit.ts [cpu|gpu] [realisations=40] [ringSeeds=6]
//   npx tsx src/engine/validate-fit.ts fisher-check      (GPU: G_ERR from the GPU vs the CPU Fisher)
//
// 1. Scatter (issue 4's criterion): ONE simulated sub-tile geometry (positions, fluxes, sizes,
//    PSF, WCS, masks and noise map fixed); each realisation redraws the intrinsic shapes
//    (e ~ N(0, 0.3) per component, |e| < 0.9: the model's own e prior) and the pixel noise
//    (N(0, 1/ivar)), renders the data with the float64 reference model (src/reference/scene.ts)
//    at shear G_SCATTER, and fits it. G_ERR is shape-noise dominated, so only a scatter that
//    includes shape noise compares with it; with the geometry fixed, G_ERR hardly changes between
//    realisations and std(ĝ)/mean(G_ERR) is the test. The shear prior is weak (σ = 1) so the MAP
//    is the shape-marginalised maximum-likelihood estimate.
//    Pass: |std(ĝ_i) / mean(G_i_ERR) − 1| ≤ 0.25 for i = 1, 2. Printed too: the pull width
//    std((ĝ − g)/G_ERR) and the fraction within 3·G_ERR.
//    The data are written into the sub-tile's SCI HDU (SCI' = SCI − obs + obs', float32, in place)
//    so the GPU path reads them through the same files as `shearwb run`; the CPU path reads the
//    same files.
// 2. Bias: the simulator's ring mode (each galaxy also drawn rotated by 90°, its own renderer —
//    not our model) with quadrants of 384² px so ring partners stay on the sub-tile. Paired
//    design: seed k is fitted at g = (s, −s) and at g = (−s, s) (s = 0.04); per seed
//    m_i = (ĝ_i(+) − ĝ_i(−)) / (2 g_i) − 1 and c_i = (ĝ_i(+) + ĝ_i(−)) / 2; m and c are the mean over
//    seeds, their errors the standard error over seeds (seeds are independent). Seeds whose shear
//    is prior-dominated (G_ERR > 0.5: no galaxy with shape information) are left out.
//    `realisations` = 0 runs the ring part only.
//
// Backends: 'cpu' = float64 CPU reference (src/engine/fit-reference.ts) in this process;
// 'gpu' = the WGSL engine in one headless Chromium page (fit jobs of `shearwb run`, SwiftShader
// here), GPU Fisher.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareExposureSet } from '../data/exposure-set';
import { openFits } from '../data/fits/index';
import { openSource } from '../data/storage/index';
import { writeSubtile, Rng, type SimOptions } from '../sim/index';
import { DEFAULT_PRIORS, renderScene, sourceOffsets, type Priors } from '../reference/scene';
import { fitPlan, initialParams, planFit } from './fit';
import { referenceBackend } from './fit-reference';

const mode = (process.argv[2] ?? 'cpu') as 'cpu' | 'gpu' | 'fisher-check';
const realisations = Number(process.argv[3] ?? 40);
const ringSeeds = Number(process.argv[4] ?? 6);
const PRIORS: Priors = { ...DEFAULT_PRIORS, gSigma: 1 };
const BASE: SimOptions = { galaxies: 6, quadrants: 1, quadSize: [192, 192] };
const GEOMETRY_SEED = 1010; // 5 galaxies, G_ERR ≈ 0.09 (many seeds give faint scenes where G_ERR is the prior)
const G_SCATTER: [number, number] = [0.02, -0.01];
const RING: SimOptions = { galaxies: 6, quadrants: 1, quadSize: [384, 384] };
const RING_S = 0.04;

interface Estimate {
  g1: number;
  g2: number;
  e1: number;
  e2: number;
  steps: number;
  converged: boolean;
}

interface Fitter {
  fit(manifest: string, fisher?: 'gpu' | 'reference'): Promise<Estimate>;
  close(): Promise<void>;
}

async function cpuFitter(): Promise<Fitter> {
  return {
    async fit(manifest) {
      const plan = planFit(await prepareExposureSet(manifest));
      const r = await fitPlan(plan, referenceBackend(plan.scene, PRIORS), { tol: 1e-9, priors: PRIORS });
      return { g1: r.g1, g2: r.g2, e1: r.g1Err, e2: r.g2Err, steps: r.map.steps, converged: r.map.converged };
    },
    close: async () => undefined,
  };
}

async function gpuFitter(root: string): Promise<Fitter> {
  const { openHeadless } = await import('../cli/headless-driver');
  const { waitForPage } = await import('../headless/client');
  const { fitInPage } = await import('../headless/fit-client');
  const session = await openHeadless('headless.html', { mounts: [{ prefix: '/data/', dir: root }] });
  await waitForPage(session.page);
  return {
    async fit(manifest, fisher = 'gpu') {
      const rel = manifest.slice(root.length + 1);
      // `fisher` is read by src/headless/fit-job.ts (not yet in protocol.ts's FitJob type).
      const job = { kind: 'fit' as const, manifestUrl: `${session.server.url}/data/${rel}`, config: { priors: PRIORS, tol: 1e-9 }, diagnostics: false, fisher };
      const r = await fitInPage(session.page, job);
      return { g1: r.g1, g2: r.g2, e1: r.g1Err, e2: r.g2Err, steps: r.map.steps, converged: r.map.converged };
    },
    close: () => session.close(),
  };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};
const sem = (v: number[]) => std(v) / Math.sqrt(v.length);

/**
 * A fixed-geometry data generator on one simulated sub-tile: `draw(r)` writes realisation r
 * (redrawn shapes and noise, reference-model rendering at `g`) into the sub-tile's SCI HDUs.
 */
async function fixedGeometry(dir: string, g: [number, number]): Promise<{ manifest: string; draw(r: number): Promise<void> }> {
  await writeSubtile(dir, { ...BASE, seed: GEOMETRY_SEED, g1: g[0], g2: g[1] });
  const manifest = join(dir, 'manifest_local.yaml');
  const set = await prepareExposureSet(manifest);
  const plan = planFit(set);
  const scene = plan.scene;
  if (scene.quadrants.length !== set.quadrants.length) throw new Error('validate: scene and exposure set disagree on the quadrants');
  const base = initialParams(plan);
  base[0] = g[0];
  base[1] = g[1];
  const off = sourceOffsets(scene);
  // Where each quadrant's SCI pixels sit in its file (uncompressed big-endian float32).
  const targets = await Promise.all(
    set.quadrants.map(async (q, k) => {
      const path = q.sciUrl.replace(/^file:\/\//, '');
      const f = await openFits(openSource(path));
      const h = f.hdus.find((x) => x.extname === `${q.name}.SCI`);
      if (!h || h.kind !== 'image' || h.bitpix !== -32) throw new Error(`validate: ${path}: no uncompressed float32 ${q.name}.SCI HDU`);
      if (h.shape[0] * h.shape[1] !== scene.quadrants[k].obs.length) throw new Error(`validate: ${path}[${q.name}.SCI]: shape ${h.shape} vs scene`);
      return { path, offset: h.dataOffset, obs0: Float64Array.from(scene.quadrants[k].obs), ivar: scene.quadrants[k].ivar };
    }),
  );
  const sci0 = targets.map((t) => {
    const bytes = readFileSync(t.path);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + t.offset, t.obs0.length * 4);
    return Float64Array.from({ length: t.obs0.length }, (_, i) => dv.getFloat32(i * 4, false));
  });
  return {
    manifest,
    async draw(r) {
      const rng = new Rng(GEOMETRY_SEED * 7919 + r, 77);
      const truth = Float64Array.from(base);
      scene.sources.forEach((s, i) => {
        if (s.kind !== 'galaxy') return;
        let a: number;
        let b: number;
        do {
          a = rng.gauss(0, 0.3);
          b = rng.gauss(0, 0.3);
        } while (Math.hypot(a, b) >= 0.9);
        truth[off[i] + 2] = a;
        truth[off[i] + 3] = b;
      });
      const models = renderScene(scene, truth);
      targets.forEach((t, k) => {
        const bytes = readFileSync(t.path);
        const dv = new DataView(bytes.buffer, bytes.byteOffset + t.offset, t.obs0.length * 4);
        for (let i = 0; i < t.obs0.length; i++) {
          if (!(t.ivar[i] > 0)) continue; // masked: keep the simulator's pixel
          const obs = models[k][i] + rng.gauss(0, 1 / Math.sqrt(t.ivar[i]));
          dv.setFloat32(i * 4, sci0[k][i] - t.obs0[i] + obs, false);
        }
        writeFileSync(t.path, bytes);
      });
    },
  };
}

async function fisherCheck(root: string): Promise<void> {
  const fitter = await gpuFitter(root);
  try {
    const dir = join(root, 'fisher');
    await writeSubtile(dir, { ...BASE, seed: GEOMETRY_SEED, g1: G_SCATTER[0], g2: G_SCATTER[1] });
    const m = join(dir, 'manifest_local.yaml');
    const a = await fitter.fit(m, 'gpu');
    const b = await fitter.fit(m, 'reference');
    const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
    console.log(`[fisher-check] MAP g = (${a.g1}, ${a.g2}) vs (${b.g1}, ${b.g2})`);
    console.log(`  G1_ERR gpu ${a.e1.toPrecision(10)} cpu ${b.e1.toPrecision(10)} rel ${rel(a.e1, b.e1).toExponential(2)}`);
    console.log(`  G2_ERR gpu ${a.e2.toPrecision(10)} cpu ${b.e2.toPrecision(10)} rel ${rel(a.e2, b.e2).toExponential(2)}`);
    const ok = rel(a.e1, b.e1) <= 1e-4 && rel(a.e2, b.e2) <= 1e-4;
    console.log(ok ? 'PASS' : 'FAIL');
    if (!ok) process.exitCode = 1;
  } finally {
    await fitter.close();
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'shearwb-validate-'));
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(0);
  if (mode === 'fisher-check') {
    try {
      await fisherCheck(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    return;
  }
  if (mode !== 'cpu' && mode !== 'gpu') throw new Error(`validate-fit: mode must be cpu, gpu or fisher-check, got '${mode}'`);
  const fitter = mode === 'gpu' ? await gpuFitter(root) : await cpuFitter();
  let failed = false;
  try {
    // 1. Scatter against G_ERR, geometry fixed (realisations = 0: ring part only).
    if (realisations > 0) {
    const gen = await fixedGeometry(join(root, 'scatter'), G_SCATTER);
    const est: Estimate[] = [];
    for (let r = 0; r < realisations; r++) {
      await gen.draw(r);
      try {
        est.push(await fitter.fit(gen.manifest));
      } catch (e) {
        console.log(`  realisation ${r}: skipped (${(e as Error).message})`);
      }
      if ((r + 1) % 5 === 0) console.log(`  … ${r + 1}/${realisations} realisations, ${secs()} s`);
    }
    const ok = est.filter((e) => Number.isFinite(e.e1) && Number.isFinite(e.e2));
    const d1 = ok.map((e) => e.g1 - G_SCATTER[0]);
    const d2 = ok.map((e) => e.g2 - G_SCATTER[1]);
    const r1 = std(d1) / mean(ok.map((e) => e.e1));
    const r2 = std(d2) / mean(ok.map((e) => e.e2));
    const p1 = std(ok.map((e, i) => d1[i] / e.e1));
    const p2 = std(ok.map((e, i) => d2[i] / e.e2));
    // With n realisations the ratio itself is uncertain by ≈ 1/√(2(n−1)).
    const rErr = 1 / Math.sqrt(2 * (ok.length - 1));
    const within = ok.filter((e) => Math.abs(e.g1 - G_SCATTER[0]) < 3 * e.e1 && Math.abs(e.g2 - G_SCATTER[1]) < 3 * e.e2).length / ok.length;
    const errSpread = (v: number[]) => `${Math.min(...v).toFixed(4)}…${Math.max(...v).toFixed(4)}`;
    console.log(`[${mode}] scatter, fixed geometry (sim seed ${GEOMETRY_SEED}), shapes + noise redrawn: ${ok.length} of ${realisations} realisations, ${secs()} s, mean steps ${mean(ok.map((e) => e.steps)).toFixed(1)}, not converged ${ok.filter((e) => !e.converged).length}`);
    console.log(`  g1: mean ${mean(ok.map((e) => e.g1)).toFixed(4)} ± ${sem(d1).toFixed(4)} (true ${G_SCATTER[0]}), scatter ${std(d1).toFixed(4)}, mean G1_ERR ${mean(ok.map((e) => e.e1)).toFixed(4)} (range ${errSpread(ok.map((e) => e.e1))}), scatter/mean G1_ERR ${r1.toFixed(3)} ± ${(r1 * rErr).toFixed(3)}, pull std ${p1.toFixed(3)}`);
    console.log(`  g2: mean ${mean(ok.map((e) => e.g2)).toFixed(4)} ± ${sem(d2).toFixed(4)} (true ${G_SCATTER[1]}), scatter ${std(d2).toFixed(4)}, mean G2_ERR ${mean(ok.map((e) => e.e2)).toFixed(4)} (range ${errSpread(ok.map((e) => e.e2))}), scatter/mean G2_ERR ${r2.toFixed(3)} ± ${(r2 * rErr).toFixed(3)}, pull std ${p2.toFixed(3)}`);
    console.log(`  within 3·G_ERR on both: ${(100 * within).toFixed(1)}%`);
    const scatterOk = ok.length >= 2 && Math.abs(r1 - 1) <= 0.25 && Math.abs(r2 - 1) <= 0.25;
    console.log(`  scatter/mean G_ERR within 25% of 1 (issue 4): ${scatterOk ? 'PASS' : 'FAIL'}`);
    failed ||= !scatterOk;
    }

    // 2. Ring-mode bias, paired ±g per seed.
    const m1: number[] = [];
    const m2: number[] = [];
    const c1: number[] = [];
    const c2: number[] = [];
    let pairsLost = 0;
    for (let k = 0; k < ringSeeds; k++) {
      const pm: Estimate[] = [];
      for (const sign of [1, -1]) {
        const dir = join(root, `ring-${k}-${sign}`);
        const sim = await writeSubtile(dir, { ...RING, seed: 5000 + k, ring: true, g1: sign * RING_S, g2: -sign * RING_S });
        if (sign === 1) {
          const ids = new Set(sim.truth.galaxies.map((s) => s.object_id));
          pairsLost += sim.truth.galaxies.filter((s) => s.ring_of !== undefined && !ids.has(s.ring_of)).length;
          pairsLost += sim.truth.outside.filter((s) => s.ring_of !== undefined && ids.has(s.ring_of)).length;
        }
        try {
          pm.push(await fitter.fit(join(dir, 'manifest_local.yaml')));
        } catch (e) {
          console.log(`  ring seed ${k} sign ${sign}: skipped (${(e as Error).message})`);
        }
        rmSync(dir, { recursive: true, force: true });
      }
      if (pm.length !== 2) continue;
      const [p, n] = pm;
      // A sub-tile whose shear is prior-dominated (no galaxy with shape information on the data:
      // G_ERR ≈ the weak prior's σ = 1) measures nothing; counting it would put m = −1 in the mean.
      if (Math.max(p.e1, p.e2, n.e1, n.e2) > 0.5) {
        console.log(`  ring seed ${k}: prior-dominated (G_ERR ${p.e1.toFixed(2)}, ${p.e2.toFixed(2)}), left out`);
        continue;
      }
      m1.push((p.g1 - n.g1) / (2 * RING_S) - 1);
      m2.push((p.g2 - n.g2) / (-2 * RING_S) - 1);
      c1.push((p.g1 + n.g1) / 2);
      c2.push((p.g2 + n.g2) / 2);
      console.log(`  ring seed ${k}: ĝ(+) = (${p.g1.toFixed(4)}, ${p.g2.toFixed(4)}) ±(${p.e1.toFixed(4)}, ${p.e2.toFixed(4)}), ĝ(−) = (${n.g1.toFixed(4)}, ${n.g2.toFixed(4)}), ${secs()} s`);
    }
    console.log(`[${mode}] ring bias, paired g = ±(${RING_S}, −${RING_S}), ${m1.length} seeds (${RING.quadSize!.join('×')} px, ${RING.galaxies} galaxies + ring partners; ring partners split by the extended-area edge: ${pairsLost}), ${secs()} s total:`);
    console.log(`  m1 = ${mean(m1).toFixed(4)} ± ${sem(m1).toFixed(4)}, c1 = ${mean(c1).toFixed(5)} ± ${sem(c1).toFixed(5)}`);
    console.log(`  m2 = ${mean(m2).toFixed(4)} ± ${sem(m2).toFixed(4)}, c2 = ${mean(c2).toFixed(5)} ± ${sem(c2).toFixed(5)}`);
  } finally {
    await fitter.close();
    rmSync(root, { recursive: true, force: true });
  }
  console.log(failed ? 'FAIL' : 'PASS');
  if (failed) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 2;
});
