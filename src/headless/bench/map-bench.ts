// MAP-step timing in the page: one evaluate-with-gradient step of the ShearEngine on
// synthetic scenes. msPerStep is the median GPU wall time (submit → onSubmittedWorkDone)
// of single encodeStep submits (forward + gradient, no readback) after a warm-up,
// msForward the same without the gradient; msPerEvaluate is a whole
// evaluate({ gradient: true }) call, readback of loss and gradient included.
import { ShearEngine } from '../../engine/engine';
import type { GpuContext } from '../../engine/device';
import { shapeOfScene, syntheticScene } from './synthetic-scene';
import type { MapBenchCase, MapMeasurement } from './types';

export interface MapBenchOptions {
  /** Aim for about this much timed work per case (ms). */
  targetMs: number;
}

export async function runMapCase(ctx: GpuContext, c: MapBenchCase, opts: MapBenchOptions): Promise<MapMeasurement> {
  const { scene, params } = syntheticScene({ sources: c.sources, quadrants: c.quadrants, size: c.size, pairs: c.pairs, seed: c.seed ?? 1 });
  const shape = shapeOfScene(scene);
  const t0 = performance.now();
  const engine = await ShearEngine.create(ctx, scene);
  try {
    engine.setParams(params);
    await ctx.device.queue.onSubmittedWorkDone();
    const msCreate = performance.now() - t0;
    await engine.evaluate({ gradient: true }); // warm-up
    let t = performance.now();
    const ev = await engine.evaluate({ gradient: true });
    const msPerEvaluate = performance.now() - t;
    if (!Number.isFinite(ev.loss)) throw new Error(`MAP bench ${c.label}: loss is ${ev.loss}`);
    // Median of single steps: robust against other processes sharing the CPU adapter.
    const iters = Math.max(5, Math.min(20, Math.round(opts.targetMs / Math.max(msPerEvaluate, 1))));
    const median = async (gradient: boolean, k: number) => {
      const times: number[] = [];
      for (let i = 0; i < k; i++) {
        const t1 = performance.now();
        const enc = ctx.device.createCommandEncoder();
        engine.encodeStep(enc, { gradient });
        ctx.device.queue.submit([enc.finish()]);
        await ctx.device.queue.onSubmittedWorkDone();
        times.push(performance.now() - t1);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(k / 2)];
    };
    const msPerStep = await median(true, iters);
    const msForward = await median(false, Math.max(3, Math.ceil(iters / 2)));
    const dispatched: Record<string, number> = {};
    for (const d of engine.dispatches({ gradient: true })) {
      if (d.workgroupSize === 0) continue; // FFT calls
      const k = d.kernel.split(':')[0];
      dispatched[k] = (dispatched[k] ?? 0) + d.workgroups[0] * d.workgroups[1] * d.workgroupSize;
    }
    const tiers: Record<string, number> = {};
    for (const tr of shape.tiers) tiers[tr.n] = tr.pairs;
    const gpuBytes = engine.memoryBytes().total;
    return { ...c, nPairs: scene.pairs.length, tiers, msPerStep, msForward, msPerEvaluate, iterations: iters, msCreate, shape, dispatched, gpuBytes };
  } finally {
    engine.destroy();
  }
}
