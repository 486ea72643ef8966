// What the UI shows, independent of the exposure set's exact shape: images are plain Float32Arrays
// (observed now; model, residual and χ fed later by the engine), geometry is a pixel→sky function.

export const PANEL_KINDS = ['observed', 'model', 'residual', 'chi'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];

export interface UiQuadrant {
  index: number;
  /** HDU prefix, e.g. "3-4.F". */
  name: string;
  /** e.g. "2704/00 3-4.F". */
  label: string;
  nx: number;
  ny: number;
  /** 0-based pixel → (RA, Dec) degrees. */
  pixToSky(x: number, y: number): [number, number];
  /** Sky corners (degrees) of the pixel grid's outer edge. */
  footprint: Array<[number, number]>;
  /** Background-subtracted pixels (ADU), row-major y·nx + x. */
  observed: Float32Array;
  /** Inverse variance (for χ = (obs − model)·√ivar); absent when unknown. */
  ivar?: Float32Array;
}

export interface UiSourceInQuadrant {
  x: number;
  y: number;
  /** [dudx, dudy, dvdx, dvdy] arcsec/px. */
  jac: [number, number, number, number];
  visible: boolean;
}

export interface UiSource {
  /** Position in the selected-source list (engine order). */
  index: number;
  object_id: number;
  ra: number;
  dec: number;
  kind: 'galaxy' | 'star';
  core: boolean;
  snr: number;
  /** Catalogue flux (µJy). */
  flux: number;
  /** Half-light radius (arcsec), ellipticity (1 − b/a) and position angle (degrees E of N; NaN unknown). */
  hlr: number;
  ellipticity: number;
  pa: number;
  /** One per quadrant, in quadrant order. */
  perQuadrant: UiSourceInQuadrant[];
}

export interface WorkbenchData {
  manifestUrl: string;
  title: string;
  skyBounds: { core_ra: [number, number]; core_dec: [number, number]; extended_ra: [number, number]; extended_dec: [number, number] };
  quadrants: UiQuadrant[];
  sources: UiSource[];
  warnings: string[];
  droppedCount: number;
}

/** Per-source fitted values the engine will provide (overlays and list columns); all optional. */
export interface SourceFit {
  chi2?: number;
  hlr?: number;
  e1?: number;
  e2?: number;
}
