// The one thing the optimisers need: loss and (optionally) gradient at a point.
//
// Implementations:
// - referenceObjective (reference-objective.ts): the float64 CPU oracle, natural parameters.
// - the GPU ShearEngine (src/engine) implements the same interface: evaluate(x, wantGrad)
//   = setParams(x) + evaluate({ gradient: wantGrad }), reading back the loss (4 bytes) and,
//   when asked, the gradient; see engineObjective below for the adapter.
// - unconstrainedObjective wraps any natural-parameter objective into the unconstrained
//   space of transform.ts (the optimisers' space).
//
// evaluate is async so a GPU objective can await its readback without blocking the page;
// the optimisers call it strictly sequentially (never two in flight), so an implementation
// may reuse its buffers between calls. A non-finite loss means "outside the model's domain
// or overflowed": line searches back off from it.

import { fromUnconstrained, pullbackGradient, type ParamLayout } from './transform';

export interface Evaluation {
  loss: number;
  grad?: Float64Array;
}

export interface Objective {
  /** Number of parameters. */
  n: number;
  evaluate(x: Float64Array, wantGrad: boolean): Promise<Evaluation>;
}

/** An objective over the unconstrained x of transform.ts, with the map back to natural parameters. */
export interface UnconstrainedObjective extends Objective {
  layout: ParamLayout;
  toParams(x: Float64Array): Float64Array;
}

export function unconstrainedObjective(natural: Objective, layout: ParamLayout): UnconstrainedObjective {
  if (natural.n !== layout.n) throw new RangeError(`objective has ${natural.n} parameters, the layout ${layout.n}`);
  return {
    n: layout.n,
    layout,
    toParams: (x) => fromUnconstrained(layout, x),
    async evaluate(x, wantGrad) {
      const p = fromUnconstrained(layout, x);
      const r = await natural.evaluate(p, wantGrad);
      if (!wantGrad) return { loss: r.loss };
      if (!r.grad) throw new Error('objective returned no gradient although one was asked for');
      return { loss: r.loss, grad: pullbackGradient(layout, x, r.grad) };
    },
  };
}

/**
 * The shape of the GPU engine as far as the optimisers care (structural, so this module
 * does not import WebGPU code). Its gradient may be float32; it is widened here.
 */
export interface EngineLike {
  readonly paramCount: number;
  setParams(params: Float64Array): void | Promise<void>;
  evaluate(opts: { gradient: boolean }): Promise<{ loss: number; grad?: ArrayLike<number> }>;
}

export function engineObjective(engine: EngineLike): Objective {
  return {
    n: engine.paramCount,
    async evaluate(x, wantGrad) {
      await engine.setParams(x);
      const r = await engine.evaluate({ gradient: wantGrad });
      return wantGrad && r.grad ? { loss: r.loss, grad: Float64Array.from(r.grad) } : { loss: r.loss };
    },
  };
}
