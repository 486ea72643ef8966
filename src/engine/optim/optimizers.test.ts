// Optimisers on analytic functions whose minimisers are known in closed form.
import { describe, expect, it } from 'vitest';
import { adam } from './adam';
import { lbfgs } from './lbfgs';
import type { Objective } from './objective';

function rosenbrock(n: number): Objective {
  return {
    n,
    async evaluate(x, wantGrad) {
      let f = 0;
      const g = new Float64Array(n);
      for (let i = 0; i < n - 1; i++) {
        const a = x[i + 1] - x[i] * x[i];
        const b = 1 - x[i];
        f += 100 * a * a + b * b;
        g[i] += -400 * x[i] * a - 2 * b;
        g[i + 1] += 200 * a;
      }
      return wantGrad ? { loss: f, grad: g } : { loss: f };
    },
  };
}

/** ½ (x − c)ᵀ diag(d) (x − c) in a rotated basis: condition number max(d)/min(d). */
function quadratic(d: number[], c: number[]): Objective {
  const n = d.length;
  // Rotation by a fixed sequence of Givens rotations, so the problem is not axis aligned.
  const rot = (v: Float64Array, inverse: boolean) => {
    const out = Float64Array.from(v);
    const order = [...Array(n - 1).keys()];
    if (inverse) order.reverse();
    for (const i of order) {
      const th = (inverse ? -1 : 1) * (0.3 + 0.1 * i);
      const a = out[i];
      const b = out[i + 1];
      out[i] = Math.cos(th) * a - Math.sin(th) * b;
      out[i + 1] = Math.sin(th) * a + Math.cos(th) * b;
    }
    return out;
  };
  return {
    n,
    async evaluate(x, wantGrad) {
      const r = rot(Float64Array.from(x, (v, i) => v - c[i]), false);
      let f = 0;
      const hr = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        f += 0.5 * d[i] * r[i] * r[i];
        hr[i] = d[i] * r[i];
      }
      return wantGrad ? { loss: f, grad: rot(hr, true) } : { loss: f };
    },
  };
}

describe('L-BFGS', () => {
  it('Rosenbrock (n = 2 and n = 10) from the classic start, to 1e-6', async () => {
    for (const n of [2, 10]) {
      const x0 = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const r = await lbfgs(rosenbrock(n), x0, { gtol: 1e-9, maxSteps: 1000 });
      console.log(`rosenbrock n=${n}: ${r.steps} steps, ${r.evaluations} evaluations, |g|∞ ${r.gradNorm.toExponential(2)}, reason ${r.reason}`);
      expect(r.converged).toBe(true);
      for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-6);
    }
  });

  it('ill-conditioned rotated quadratic (κ = 1e6) to 1e-8, and scales undo axis-aligned ill-conditioning', async () => {
    const d = [1e-3, 1, 10, 100, 1e3];
    const c = [1, -2, 3, 0.5, -0.25];
    const r = await lbfgs(quadratic(d, c), new Float64Array(5), { gtol: 1e-12, maxSteps: 500 });
    console.log(`quadratic κ=1e6: ${r.steps} steps, ${r.evaluations} evaluations, |g|∞ ${r.gradNorm.toExponential(2)}, reason ${r.reason}`);
    expect(r.converged).toBe(true);
    r.x.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-8));

    // Axis-aligned with curvatures 1e-8 … 1e8: with matching scales it is the identity problem.
    const curv = [1e-8, 1e-4, 1, 1e4, 1e8];
    const axis: Objective = {
      n: 5,
      async evaluate(x, wantGrad) {
        let f = 0;
        const g = new Float64Array(5);
        for (let i = 0; i < 5; i++) {
          f += 0.5 * curv[i] * (x[i] - 1) ** 2;
          g[i] = curv[i] * (x[i] - 1);
        }
        return wantGrad ? { loss: f, grad: g } : { loss: f };
      },
    };
    const scales = Float64Array.from(curv, (k) => 1 / Math.sqrt(k));
    const s = await lbfgs(axis, new Float64Array(5), { scales, gtol: 1e-10 });
    expect(s.steps).toBeLessThanOrEqual(3);
    s.x.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-9));
  });

  it('backs off from non-finite losses (domain walls) and still converges', async () => {
    // f = x − ln x on x > 0 (minimum at 1), ∞/NaN outside; the first trial step overshoots.
    const obj: Objective = {
      n: 1,
      async evaluate(x, wantGrad) {
        const v = x[0] > 0 ? x[0] - Math.log(x[0]) : Number.NaN;
        return wantGrad ? { loss: v, grad: Float64Array.of(1 - 1 / x[0]) } : { loss: v };
      },
    };
    const r = await lbfgs(obj, Float64Array.of(0.05), { gtol: 1e-10, scales: Float64Array.of(10) });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-9);
  });

  it('stops on the relative loss change, reports progress, is deterministic and abortable', async () => {
    const seen: number[] = [];
    const run = () =>
      lbfgs(rosenbrock(4), Float64Array.of(-1.2, 1, -1.2, 1), {
        gtol: 0, ftol: 1e-12, every: 5, onProgress: async (p) => { seen.push(p.step); },
      });
    const a = await run();
    expect(a.reason).toBe('loss-change');
    expect(a.relLossChange).toBeLessThan(1e-12);
    expect(seen.slice(0, 3)).toEqual([5, 10, 15]);
    const b = await run();
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(b.lossHistory).toEqual(a.lossHistory);

    const ctl = new AbortController();
    const c = await lbfgs(rosenbrock(4), Float64Array.of(-1.2, 1, -1.2, 1), {
      every: 1, onProgress: (p) => { if (p.step === 3) ctl.abort(); }, signal: ctl.signal,
    });
    expect(c.reason).toBe('aborted');
    expect(c.steps).toBe(3);
  });

  it('clear errors for bad inputs', async () => {
    await expect(lbfgs(rosenbrock(2), Float64Array.of(1))).rejects.toThrow(/start point has 1 values, the objective 2/);
    await expect(lbfgs(rosenbrock(2), Float64Array.of(1, Number.NaN))).rejects.toThrow(/coordinate 1 = NaN/);
  });
});

describe('Adam (SHINE defaults)', () => {
  it('200 steps at lr 0.002 move each coordinate by at most ≈ 0.4; bias-corrected first step = lr·sign(g)', async () => {
    const d = [1, 1, 1];
    const c = [1, -1, 0.1];
    const r = await adam(quadratic(d, c), new Float64Array(3), { every: 1000 });
    expect(r.steps).toBe(200);
    expect(r.evaluations).toBe(201);
    r.x.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(0.4 + 1e-12));
    const one = await adam(quadratic(d, c), new Float64Array(3), { steps: 1 });
    const g = (await quadratic(d, c).evaluate(new Float64Array(3), true)).grad!;
    one.x.forEach((v, i) => expect(v).toBeCloseTo(-0.002 * Math.sign(g[i]), 9));
  });

  it('Adam vs L-BFGS on the κ = 1e6 quadratic', async () => {
    const obj = quadratic([1e-3, 1, 10, 100, 1e3], [1, -2, 3, 0.5, -0.25]);
    const a = await adam(obj, new Float64Array(5));
    const l = await lbfgs(obj, new Float64Array(5), { gtol: 1e-8 });
    console.log(
      `quadratic: adam 200 steps loss ${a.loss.toExponential(3)} |g|∞ ${a.gradNorm.toExponential(2)}; ` +
        `lbfgs ${l.steps} steps loss ${l.loss.toExponential(3)} |g|∞ ${l.gradNorm.toExponential(2)}`,
    );
    expect(l.loss).toBeLessThan(a.loss);
  });
});
