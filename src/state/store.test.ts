import { describe, it, expect, beforeEach } from 'vitest';
import { shareQuery, sortedSources, useWorkbench } from './store';
import { decodeShare } from './share';
import type { UiSource, WorkbenchData } from './workbench-data';

function source(id: number, snr: number, visible: boolean[], xy: [number, number] = [10, 20]): UiSource {
  return {
    index: 0, object_id: id, ra: 0, dec: 0, kind: 'galaxy', core: true, snr, flux: 1, hlr: 0.3, ellipticity: 0.2, pa: 10,
    perQuadrant: visible.map((v) => ({ x: xy[0], y: xy[1], jac: [-0.1, 0, 0, 0.1] as [number, number, number, number], visible: v })),
  };
}

function data(): WorkbenchData {
  const quad = (index: number) => ({
    index, name: `q${index}`, label: `q${index}`, nx: 4, ny: 2, pixToSky: (x: number, y: number) => [x, y] as [number, number], footprint: [],
    observed: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), ivar: new Float32Array(8).fill(4),
  });
  return {
    manifestUrl: 'm.yaml', title: 't', warnings: [], droppedCount: 0,
    skyBounds: { core_ra: [0, 1], core_dec: [0, 1], extended_ra: [0, 1], extended_dec: [0, 1] },
    quadrants: [quad(0), quad(1)],
    sources: [source(5, 20, [true, false]), source(7, 50, [false, true], [3, 1]), source(6, 30, [true, true])],
  };
}

describe('workbench store', () => {
  beforeEach(() => {
    useWorkbench.getState().openManifest('m.yaml');
    useWorkbench.getState().setPanelSize({ w: 400, h: 200 });
    useWorkbench.getState().setData(data());
  });

  it('fits the view to the panel once data and size are known', () => {
    expect(useWorkbench.getState().view).toEqual({ cx: 1.5, cy: 0.5, zoom: 100 });
  });

  it('sorts by SNR (then χ² when fits arrive) and steps through the list with wrap-around', () => {
    const s = useWorkbench.getState();
    expect(sortedSources(s.data!.sources, 'snr', {}).map((x) => x.object_id)).toEqual([7, 6, 5]);
    s.stepSource(1);
    expect(useWorkbench.getState().source).toBe(7);
    // Source 7 is only visible in quadrant 1: selecting it switches quadrant and centres on it.
    expect(useWorkbench.getState().quadrant).toBe(1);
    expect(useWorkbench.getState().view).toMatchObject({ cx: 3, cy: 1 });
    s.stepSource(-1);
    expect(useWorkbench.getState().source).toBe(5);
    expect(useWorkbench.getState().quadrant).toBe(0);
    s.setSourceFits({ 5: { chi2: 9 }, 6: { chi2: 1 }, 7: { chi2: 3 } });
    s.setSortBy('chi2');
    expect(sortedSources(s.data!.sources, 'chi2', useWorkbench.getState().fits).map((x) => x.object_id)).toEqual([5, 7, 6]);
  });

  it('derives residual and χ from a fed model', () => {
    useWorkbench.getState().setPanelImages(0, { model: new Float32Array(8).fill(1) });
    const img = useWorkbench.getState().images[0];
    expect(Array.from(img.residual!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(img.chi!)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
  });

  it('its share query decodes to the same selection and view', () => {
    const s = useWorkbench.getState();
    s.selectSource(6);
    s.setDisplay({ stretch: 'log', cmap: 'viridis' });
    const d = decodeShare(shareQuery(useWorkbench.getState())).state;
    expect(d).toMatchObject({ manifest: 'm.yaml', quadrant: 0, source: 6, stretch: 'log', cmap: 'viridis', view: { cx: 10, cy: 20, zoom: 100 } });
  });

  it('a dropped-files manifest is left out of the link (it cannot be reopened elsewhere)', () => {
    useWorkbench.getState().openManifest('sub/manifest_local.yaml', new Map());
    expect(decodeShare(shareQuery(useWorkbench.getState())).state.manifest).toBeUndefined();
  });
});
