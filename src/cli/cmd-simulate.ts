// `shearwb simulate <outdir> [options]`: writes one simulated sub-tile with known shear (src/sim).
import type { Command } from 'commander';
import { writeSubtile, type SimOptions } from '../sim';

function num(name: string): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new Error(`simulate: --${name} expects a number, got '${v}'`);
    return x;
  };
}

function int(name: string): (v: string) => number {
  return (v: string) => {
    const x = num(name)(v);
    if (!Number.isInteger(x)) throw new Error(`simulate: --${name} expects an integer, got '${v}'`);
    return x;
  };
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('write a simulated sub-tile with known shear (manifest_local.yaml, exposures, PSF grids, catalogue, truth)')
    .argument('<outdir>', 'directory to write the sub-tile into (created if needed)')
    .option('--seed <S>', 'random seed (same seed → byte-identical files)', int('seed'), 1)
    .option('--galaxies <N>', 'galaxies in the extended area (more are placed outside it)', int('galaxies'), 150)
    .option('--quadrants <Q>', 'number of quadrant exposures', int('quadrants'), 4)
    .option('--quad-size <NX NY...>', 'quadrant size in pixels (default 2048 2066)')
    .option('--psf-fwhm <ARCSEC>', 'PSF FWHM at the quadrant centres (arcsec)', num('psf-fwhm'), 0.25)
    .option('--g1 <G>', 'reduced shear g1 (default: drawn from the seed)', num('g1'))
    .option('--g2 <G>', 'reduced shear g2 (default: drawn from the seed)', num('g2'))
    .option('--noise <SCALE>', 'scale of the noise sigma', num('noise'), 1)
    .option('--core-arcmin <A>', 'core size (arcmin; default 4 for full quadrants, scaled with --quad-size)', num('core-arcmin'))
    .option('--margin-arcmin <M>', 'margin width (arcmin; default 0.5, scaled with --quad-size)', num('margin-arcmin'))
    .option('--ring', 'draw each galaxy also rotated by 90° (e → −e) nearby')
    .option('--noiseless', 'no noise, cosmic rays, hot column, stars or catalogue noise')
    .option('--oversample <N>', 'renderer quadrature points per pixel axis', int('oversample'), 4)
    .action(async (outdir: string, o: Record<string, unknown>) => {
      let quadSize: [number, number] | undefined;
      if (o.quadSize !== undefined) {
        const v = (o.quadSize as string[]).map((s) => int('quad-size')(s));
        if (v.length !== 2) throw new Error(`simulate: --quad-size expects two integers NX NY, got ${v.length} value(s)`);
        quadSize = [v[0], v[1]];
      }
      const opts: SimOptions = {
        seed: o.seed as number,
        galaxies: o.galaxies as number,
        quadrants: o.quadrants as number,
        psfFwhm: o.psfFwhm as number,
        noise: o.noise as number,
        ring: Boolean(o.ring),
        noiseless: Boolean(o.noiseless),
        oversample: o.oversample as number,
        ...(quadSize ? { quadSize } : {}),
        ...(o.g1 !== undefined ? { g1: o.g1 as number } : {}),
        ...(o.g2 !== undefined ? { g2: o.g2 as number } : {}),
        ...(o.coreArcmin !== undefined ? { coreArcmin: o.coreArcmin as number } : {}),
        ...(o.marginArcmin !== undefined ? { marginArcmin: o.marginArcmin as number } : {}),
      };
      const t0 = performance.now();
      const { truth, files } = await writeSubtile(outdir, opts);
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      let bytes = 0;
      for (const b of files.values()) bytes += b.length;
      process.stdout.write(
        `wrote ${outdir}: ${files.size} files (${(bytes / 1e6).toFixed(1)} MB), ${truth.quadrants.length} quadrants, ` +
          `${truth.n_extended} sources in the extended area (${truth.n_core} core), g1 = ${truth.g1.toFixed(5)}, g2 = ${truth.g2.toFixed(5)}, ${secs} s\n`,
      );
    });
}
