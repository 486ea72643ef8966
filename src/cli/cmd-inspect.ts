// `shearwb inspect <manifest> [--json]`: what a user checks first about a sub-tile — its quadrants
// (file, HDU, size, WCS, sky footprint), source counts, visible pairs per quadrant, dropped rows.
// Headers, PSF grids and the catalogue only (pixels: false), so multi-GB exposures cost range reads.
import type { Command } from 'commander';
import { prepareExposureSet, type ExposureSet } from '../data/exposure-set';

export interface InspectPair {
  quadrant: number;
  /** 0-based pixel position; null when the inverse WCS fails. */
  x: number | null;
  y: number | null;
  visible: boolean;
  jac: [number, number, number, number];
  /** Stamp side and integer stamp corner. */
  n: number;
  x0: number | null;
  y0: number | null;
}

export interface InspectSource {
  object_id: number;
  row: number;
  selected: boolean;
  core: boolean;
  kind: 'galaxy' | 'star' | null;
  tier: number | null;
  flux_ujy: number | null;
  hlr_arcsec: number | null;
  pairs: InspectPair[];
  /** Why a catalogue row was left out (dropped rows only). */
  reasons?: string[];
}

export interface InspectQuadrant {
  index: number;
  quadrant: string;
  obs_id: string;
  dither: string;
  ccd: string;
  file: string;
  hdu: string;
  nx: number;
  ny: number;
  wcs: string;
  /** Sky corners (degrees) of the pixel grid's outer edge: (−0.5, −0.5), (nx−0.5, −0.5), (nx−0.5, ny−0.5), (−0.5, ny−0.5). */
  footprint: Array<[number, number]>;
  adu_per_ujy: number;
  psf: { file: string; hdu: string; grid: [ny: number, nx: number]; stamp: number };
  background: string | null;
  visible_pairs: number;
}

export interface InspectResult {
  manifest: string;
  tile_id: number;
  sub_tile_row: number;
  sub_tile_col: number;
  catalogue: string;
  quadrants: InspectQuadrant[];
  counts: {
    catalogue: number;
    selected: number;
    core: number;
    galaxies: number;
    stars: number;
    per_tier: Record<string, number>;
    visible_pairs: number;
    dropped: number;
    dropped_by_reason: Record<string, number>;
    missing_ids: number;
  };
  sources: InspectSource[];
  dropped: Array<{ object_id: number; row: number; reasons: string[] }>;
  missing_ids: number[];
  warnings: string[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function inspectSummary(set: ExposureSet): InspectResult {
  const nq = set.quadrants.length;
  const visiblePerQuad = new Array<number>(nq).fill(0);
  for (const p of set.pairs) if (p.visible) visiblePerQuad[p.quadrant]++;
  const core = new Set(set.manifest.core_source_ids);
  const perTier: Record<string, number> = {};
  for (const s of set.sources) perTier[String(s.tier)] = (perTier[String(s.tier)] ?? 0) + 1;

  const selected: InspectSource[] = set.sources.map((s, i) => ({
    object_id: s.object_id,
    row: s.row,
    selected: true,
    core: s.core,
    kind: s.kind,
    tier: s.tier,
    flux_ujy: s.flux,
    hlr_arcsec: s.hlr,
    pairs: set.pairs.slice(i * nq, (i + 1) * nq).map((p) => ({
      quadrant: p.quadrant,
      x: finite(p.x),
      y: finite(p.y),
      visible: p.visible,
      jac: p.jac,
      n: p.tier,
      x0: finite(p.x0),
      y0: finite(p.y0),
    })),
  }));
  const dropped: InspectSource[] = set.dropped.map((d) => ({
    object_id: d.object_id,
    row: d.row,
    selected: false,
    core: core.has(d.object_id),
    kind: null,
    tier: null,
    flux_ujy: null,
    hlr_arcsec: null,
    pairs: [],
    reasons: d.reasons,
  }));
  return {
    manifest: set.manifest.url,
    tile_id: set.manifest.tile_id,
    sub_tile_row: set.manifest.sub_tile_row,
    sub_tile_col: set.manifest.sub_tile_col,
    catalogue: set.catalogueUrl,
    quadrants: set.quadrants.map((q, k) => ({
      index: q.index,
      quadrant: q.name,
      obs_id: q.obs_id,
      dither: q.dither,
      ccd: q.ccd,
      file: q.sciUrl,
      hdu: q.sciHdu,
      nx: q.nx,
      ny: q.ny,
      wcs: q.wcsKind,
      footprint: q.footprint,
      adu_per_ujy: q.aduPerUJy,
      psf: { file: q.psfUrl, hdu: q.psfHdu, grid: [q.psf.gridNy, q.psf.gridNx], stamp: q.psf.size },
      background: q.bkgUrl ?? null,
      visible_pairs: visiblePerQuad[k],
    })),
    counts: {
      catalogue: set.catalogueRows,
      selected: set.sources.length,
      core: set.sources.filter((s) => s.core).length,
      galaxies: set.sources.filter((s) => s.kind === 'galaxy').length,
      stars: set.sources.filter((s) => s.kind === 'star').length,
      per_tier: perTier,
      visible_pairs: visiblePerQuad.reduce((a, b) => a + b, 0),
      dropped: set.dropped.length,
      dropped_by_reason: set.dropCounts as Record<string, number>,
      missing_ids: set.missingIds.length,
    },
    // Catalogue order: selected and dropped rows together.
    sources: [...selected, ...dropped].sort((a, b) => a.row - b.row),
    dropped: set.dropped.map((d) => ({ object_id: d.object_id, row: d.row, reasons: d.reasons })),
    missing_ids: set.missingIds,
    warnings: set.warnings,
  };
}

const deg = (v: number): string => v.toFixed(6);

export function formatInspect(r: InspectResult): string {
  const out: string[] = [];
  out.push(`${r.manifest}`);
  out.push(`tile ${r.tile_id}, sub-tile row ${r.sub_tile_row} col ${r.sub_tile_col}`);
  out.push('');
  out.push(`Quadrants (${r.quadrants.length})`);
  for (const q of r.quadrants) {
    out.push(`  [${q.index}] ${q.quadrant}  obs ${q.obs_id} dither ${q.dither} ccd ${q.ccd}`);
    out.push(`      ${q.file} [${q.hdu}]  ${q.nx} × ${q.ny} px  WCS ${q.wcs}  ${q.adu_per_ujy.toPrecision(6)} ADU/µJy`);
    out.push(`      footprint (RA, Dec): ${q.footprint.map(([a, d]) => `(${deg(a)}, ${deg(d)})`).join(' ')}`);
    out.push(`      PSF ${q.psf.file} [${q.psf.hdu}]  ${q.psf.grid[1]}×${q.psf.grid[0]} stamps of ${q.psf.stamp}×${q.psf.stamp}`);
    out.push(`      background: ${q.background ?? '3σ-clipped median (no bkg_path)'}`);
    out.push(`      visible pairs: ${q.visible_pairs}`);
  }
  const c = r.counts;
  out.push('');
  out.push(`Sources: ${c.catalogue} in catalogue, ${c.selected} selected (${c.galaxies} galaxies, ${c.stars} stars), ${c.core} core`);
  out.push(`  per tier: ${Object.entries(c.per_tier).map(([t, n]) => `${t}px: ${n}`).join(', ') || 'none'}`);
  out.push(`  visible pairs: ${c.visible_pairs} (${r.quadrants.map((q) => `[${q.index}] ${q.visible_pairs}`).join(', ')})`);
  const reasons = Object.entries(c.dropped_by_reason);
  out.push(`  dropped rows: ${c.dropped}${reasons.length ? ` (${reasons.map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`);
  if (c.missing_ids > 0) out.push(`  source_ids not in the catalogue: ${c.missing_ids}`);
  const invisible = r.sources.filter((s) => s.selected && !s.pairs.some((p) => p.visible));
  if (invisible.length > 0) out.push(`  selected but visible in no quadrant: ${invisible.map((s) => s.object_id).join(', ')}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}

export async function runInspect(manifest: string): Promise<InspectResult> {
  return inspectSummary(await prepareExposureSet(manifest, { pixels: false }));
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('summarise a sub-tile manifest: quadrants, WCS, footprints, source counts, visible pairs (headers, PSF and catalogue only)')
    .argument('<manifest>', 'manifest YAML (path, http(s):// or s3:// URL)')
    .option('--json', 'print the full summary as JSON (0-based pixel coordinates)')
    .action(async (manifest: string, opts: { json?: boolean }) => {
      const r = await runInspect(manifest);
      process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : formatInspect(r));
    });
}
