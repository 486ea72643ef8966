// The simulator's real-space renderer checked against itself (convergence, flux) and against
// brute-force float64 quadratures written here independently of its Gaussian-mixture method.
import { describe, expect, it } from 'vitest';
import { distortionToShear, matMul, shearMatrix } from './gauss';
import { PsfField, effectivePsfStamp, psfMixture, randomPsfField } from './psf';
import { Rng } from './random';
import { EXP_HLR_OVER_R0, exponentialMixture, renderSource, type RenderSource } from './render';
import { SimTpv } from './tpv';

const s = 0.1 / 3600;
function testWcs(flip: boolean): SimTpv {
  const th = 0.4;
  const fx = flip ? -1 : 1;
  return new SimTpv({
    crpix: [-3000, 5000],
    crval: [274.2, -48.9],
    cd: [-s * Math.cos(th) * fx, -s * Math.sin(th), -s * Math.sin(th) * fx, s * Math.cos(th)],
    pv1: [0, 1, 0, 0, 3e-4, -2e-4, 1e-4, 0.02, 0, 0.02, 0],
    pv2: [0, 1, 0, 0, -1e-4, 2e-4, 3e-4, 0.02, 0, 0.02, 0],
  });
}
const psfField = new PsfField(randomPsfField(new Rng(5), 200, 200, 0.25));

function render(src: RenderSource, wcs: SimTpv, n: number, tauStep = 0.5) {
  const st = renderSource(src, wcs, (x, y) => psfField.at(x, y), 200, 200, { g1: 0.03, g2: -0.02, oversample: n, tauStep });
  if (!st) throw new Error('missed the quadrant');
  return st;
}

describe('sim renderer', () => {
  const cases: [string, number, boolean, boolean][] = [
    ['small galaxy', 0.08, false, false],
    ['galaxy', 0.3, false, true],
    ['large galaxy', 0.9, false, false],
    ['star', 0, true, true],
  ];
  for (const [name, hlr, star, flip] of cases) {
    it(`converges with oversampling and conserves flux: ${name}${flip ? ' (flipped WCS)' : ''}`, () => {
      const wcs = testWcs(flip);
      const [ra, dec] = wcs.pixToSky(100.3, 97.6);
      const src = { ra, dec, fluxAdu: 1000, star, hlr, e1: 0.35, e2: -0.25 };
      const a = render(src, wcs, 3);
      const b = render(src, wcs, 6);
      const c = render(src, wcs, 6, 0.25);
      let peak = 0;
      let d36 = 0;
      let dTau = 0;
      let sum = 0;
      let cx = 0;
      let cy = 0;
      for (let k = 0; k < b.data.length; k++) {
        peak = Math.max(peak, b.data[k]);
        d36 = Math.max(d36, Math.abs(a.data[k] - b.data[k]));
        dTau = Math.max(dTau, Math.abs(c.data[k] - b.data[k]));
        sum += b.data[k];
        cx += b.data[k] * (b.x0 + (k % b.nx));
        cy += b.data[k] * (b.y0 + Math.floor(k / b.nx));
      }
      expect(d36 / peak).toBeLessThan(1e-4); // acceptance: two oversampling factors agree to 1e-4 of the peak
      expect(dTau / peak).toBeLessThan(1e-6);
      expect(Math.abs(sum / 1000 - 1)).toBeLessThan(2e-5); // truncation at 1e-5 of the flux
      // Point-symmetric profiles: the light centroid is the WCS position of the source (to distortion).
      expect(Math.abs(cx / sum - 100.3)).toBeLessThan(1e-3);
      expect(Math.abs(cy / sum - 97.6)).toBeLessThan(1e-3);
    });
  }

  it('the Gaussian scale mixture reproduces the exponential profile', () => {
    const mix = exponentialMixture(0.5);
    // Relative to the local value out to 5 r0, and to the peak everywhere (the far tail converges slower in ln τ).
    for (const r of [0.05, 0.2, 0.5, 1, 2, 5, 10, 15]) {
      let v = 0;
      for (let k = 0; k < mix.v.length; k++) v += (mix.w[k] / (2 * Math.PI * mix.v[k])) * Math.exp(-(r * r) / (2 * mix.v[k]));
      const exact = Math.exp(-r) / (2 * Math.PI);
      if (r <= 5) expect(Math.abs(v / exact - 1)).toBeLessThan(1e-6);
      expect(Math.abs(v - exact) * 2 * Math.PI).toBeLessThan(1e-7);
    }
  });

  it('matches a brute-force real-space convolution (galaxy ⊗ PSF ⊗ pixel) in a linear WCS', () => {
    // Plain TAN with a tiny pixel, so pixel and tangent plane are linear to < 1e-9 near the source.
    const th = 0.3;
    const wcs = new SimTpv({
      crpix: [51, 51],
      crval: [30, 10],
      cd: [-s * Math.cos(th), -s * Math.sin(th), -s * Math.sin(th), s * Math.cos(th)],
      pv1: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      pv2: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    const psfPix = psfMixture(2.5, 0.05, -0.03);
    const hlr = 0.25;
    const e1 = 0.3;
    const e2 = 0.2;
    const g1 = 0.03;
    const g2 = -0.02;
    const [ra, dec] = wcs.pixToSky(50.2, 49.7);
    const st = renderSource({ ra, dec, fluxAdu: 1, star: false, hlr, e1, e2 }, wcs, () => psfPix, 100, 100, { g1, g2, oversample: 4 })!;
    // Independent: in pixel coordinates, I_pix(w) = |det J| I_uv(J w); brute-force 2-D sum over the galaxy
    // (fine grid) of the pixel-box-integrated PSF (midpoint sub-sampling), at three pixels.
    const J = wcs.jacobian(50.2, 49.7);
    const detJ = Math.abs(J[0] * J[3] - J[1] * J[2]);
    const [eps1, eps2] = distortionToShear(e1, e2);
    const A = matMul(shearMatrix(g1, g2), shearMatrix(eps1, eps2));
    const det = A[0] * A[3] - A[1] * A[2];
    const Ai = [A[3] / det, -A[1] / det, -A[2] / det, A[0] / det];
    const r0 = hlr / EXP_HLR_OVER_R0;
    const gal = (wx: number, wy: number) => {
      const u = J[0] * wx + J[1] * wy;
      const v = J[2] * wx + J[3] * wy;
      const a = Ai[0] * u + Ai[1] * v;
      const b = Ai[2] * u + Ai[3] * v;
      return (detJ * Math.exp(-Math.hypot(a, b) / r0)) / (2 * Math.PI * r0 * r0);
    };
    const epsf = (dx: number, dy: number) => {
      let acc = 0;
      const m = 8;
      for (let q = 0; q < m; q++)
        for (let p = 0; p < m; p++) {
          const x = dx + (p + 0.5) / m - 0.5;
          const y = dy + (q + 0.5) / m - 0.5;
          for (const c of psfPix) {
            const dt = c.xx * c.yy - c.xy * c.xy;
            acc += (c.w / (2 * Math.PI * Math.sqrt(dt))) * Math.exp(-0.5 * (c.yy * x * x - 2 * c.xy * x * y + c.xx * y * y) / dt);
          }
        }
      return acc / (m * m);
    };
    const h = 0.05; // galaxy grid step (pixels); cusp handled by the symmetric grid around the centre
    const R = 25;
    const pts: [number, number][] = [[50, 50], [52, 48], [47, 51]];
    let peak = 0;
    for (const v of st.data) peak = Math.max(peak, v);
    for (const [px, py] of pts) {
      let acc = 0;
      for (let j = -R / h; j <= R / h; j++)
        for (let i = -R / h; i <= R / h; i++) {
          const wx = (i + 0.5) * h;
          const wy = (j + 0.5) * h;
          const sx = 50.2 + wx;
          const sy = 49.7 + wy;
          const dx = px - sx;
          const dy = py - sy;
          if (dx * dx + dy * dy > 100) continue;
          acc += gal(wx, wy) * epsf(dx, dy) * h * h;
        }
      const mine = st.data[(py - st.y0) * st.nx + (px - st.x0)];
      if (process.env.SIM_DEBUG) console.log("brute force", px, py, (mine - acc) / peak);
      expect(Math.abs(mine - acc) / peak).toBeLessThan(1e-3);
    }
  }, 60_000);

  it('writes effective-PSF stamps equal to a brute-force PSF ⊗ pixel box, centred, unit sum', () => {
    const psf = psfMixture(2.2, 0.04, 0.02);
    const st = effectivePsfStamp(psf, 21, 6);
    let sum = 0;
    let cx = 0;
    let cy = 0;
    for (let k = 0; k < st.length; k++) {
      sum += st[k];
      cx += st[k] * (k % 21);
      cy += st[k] * Math.floor(k / 21);
    }
    expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
    expect(Math.abs(cx / sum - 10)).toBeLessThan(1e-9);
    expect(Math.abs(cy / sum - 10)).toBeLessThan(1e-9);
    const m = 40;
    for (const [a, b] of [[10, 10], [11, 9], [13, 10]]) {
      let acc = 0;
      for (let q = 0; q < m; q++)
        for (let p = 0; p < m; p++) {
          const x = a - 10 + (p + 0.5) / m - 0.5;
          const y = b - 10 + (q + 0.5) / m - 0.5;
          for (const c of psf) {
            const dt = c.xx * c.yy - c.xy * c.xy;
            acc += (c.w / (2 * Math.PI * Math.sqrt(dt))) * Math.exp(-0.5 * (c.yy * x * x - 2 * c.xy * x * y + c.xx * y * y) / dt);
          }
        }
      expect(Math.abs(acc / (m * m) - st[b * 21 + a])).toBeLessThan(1e-4 * st[10 * 21 + 10]);
    }
  });

  it('FWHM of the PSF mixture is the requested one', () => {
    const [c0, c1] = psfMixture(3, 0, 0);
    const f = (r: number) =>
      (c0.w / c0.xx) * Math.exp(-(r * r) / (2 * c0.xx)) + (c1.w / c1.xx) * Math.exp(-(r * r) / (2 * c1.xx));
    expect(Math.abs(f(1.5) / f(0) - 0.5)).toBeLessThan(1e-9);
  });
});
