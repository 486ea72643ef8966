import { describe, it, expect } from 'vitest';
import { decodeShare, encodeShare, type ShareState } from './share';

describe('share-link codec', () => {
  it('round-trips every field', () => {
    const s: ShareState = {
      manifest: 's3://euclid-bucket/tiles/102159490/1_2/manifest.yaml',
      results: 'https://example.org/out/params_102159490_1_2.parquet?x=1&y=2',
      quadrant: 3,
      source: 20008200473752,
      stretch: 'asinh',
      limits: 'p99.5',
      cmap: 'viridis',
      view: { cx: 255.25, cy: 100.5, zoom: 2.5 },
    };
    const q = encodeShare(s);
    expect(q.startsWith('?manifest=')).toBe(true);
    const d = decodeShare(q);
    expect(d.problems).toEqual([]);
    expect(d.state).toEqual(s);
    // Without the leading '?', and from a full URL's search part.
    expect(decodeShare(q.slice(1)).state).toEqual(s);
    expect(decodeShare(new URL('http://h/app/' + q).search).state).toEqual(s);
  });

  it('keeps relative manifest paths and special characters intact', () => {
    const s: ShareState = { manifest: 'fixtures/sub tile/manifest_local.yaml#a&b=c', quadrant: 0 };
    expect(decodeShare(encodeShare(s)).state).toEqual(s);
  });

  it('rounds the view to link precision but restores it within it', () => {
    const d = decodeShare(encodeShare({ view: { cx: 1 / 3, cy: 2 / 3, zoom: 0.123456789 } })).state.view!;
    expect(Math.abs(d.cx - 1 / 3)).toBeLessThan(0.005);
    expect(Math.abs(d.cy - 2 / 3)).toBeLessThan(0.005);
    expect(Math.abs(d.zoom - 0.123456789) / 0.123456789).toBeLessThan(1e-3);
  });

  it('encodes an empty state as the empty string', () => {
    expect(encodeShare({})).toBe('');
    expect(decodeShare('')).toEqual({ state: {}, problems: [] });
  });

  it('drops bad parameters with a message naming them and keeps the rest', () => {
    const d = decodeShare('?manifest=m.yaml&q=two&stretch=cubic&cmap=jet&limits=p42&src=-5&zoom=0&cx=1&cy=2');
    expect(d.state).toEqual({ manifest: 'm.yaml' });
    expect(d.problems.join('\n')).toMatch(/q="two"/);
    expect(d.problems.join('\n')).toMatch(/stretch="cubic".*linear, log, sqrt, asinh/);
    expect(d.problems.join('\n')).toMatch(/cmap="jet"/);
    expect(d.problems.join('\n')).toMatch(/limits="p42"/);
    expect(d.problems.join('\n')).toMatch(/src="-5"/);
    expect(d.problems.join('\n')).toMatch(/zoom="0"/);
    expect(d.problems).toHaveLength(6);
  });

  it('reports a partial view', () => {
    const d = decodeShare('?zoom=2&cx=4');
    expect(d.state.view).toBeUndefined();
    expect(d.problems[0]).toMatch(/zoom, cx and cy/);
  });
});
