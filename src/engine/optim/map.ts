// MAP fit of the scene parameters: natural start → unconstrained space → optimiser → natural.

import { adam, type AdamOptions } from './adam';
import type { OptimizeResult } from './common';
import { lbfgs, type LbfgsOptions } from './lbfgs';
import { unconstrainedObjective, type Objective } from './objective';
import { defaultScales, toUnconstrained, type ParamLayout } from './transform';

export type OptimizerName = 'lbfgs' | 'adam';

export type MapOptions =
  | ({ optimizer?: 'lbfgs' } & LbfgsOptions)
  | ({ optimizer: 'adam' } & AdamOptions);

/**
 * Minimise the natural-parameter objective (loss = χ²/2 − log prior) from `params0`.
 * Default optimiser L-BFGS with DEFAULT_SCALES; `optimizer: 'adam'` runs SHINE's Adam.
 * The result's `params` are natural parameters, `x` the unconstrained point.
 */
export async function fitMap(natural: Objective, layout: ParamLayout, params0: Float64Array, opts: MapOptions = {}): Promise<OptimizeResult> {
  const obj = unconstrainedObjective(natural, layout);
  const x0 = toUnconstrained(layout, params0);
  const scales = opts.scales ?? defaultScales(layout);
  if (opts.optimizer === 'adam') return adam(obj, x0, { ...opts, scales });
  if (opts.optimizer !== undefined && opts.optimizer !== 'lbfgs') {
    throw new RangeError(`unknown optimizer '${String((opts as { optimizer: unknown }).optimizer)}' (expected lbfgs or adam)`);
  }
  return lbfgs(obj, x0, { ...opts, scales });
}
