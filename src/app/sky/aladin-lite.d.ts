// The small part of Aladin Lite v3's API the sky view uses (the package ships no types).
declare module 'aladin-lite' {
  export interface AladinSource {
    ra: number;
    dec: number;
    data: Record<string, unknown>;
  }
  export interface AladinCatalog {
    name: string;
    addSources(s: AladinSource[]): void;
    removeAll(): void;
    getSources(): AladinSource[];
  }
  export interface AladinFootprint {
    setColor(c: string): void;
    setLineWidth(w: number): void;
    isFootprint?(): boolean;
  }
  export interface AladinOverlay {
    add(f: AladinFootprint, redraw?: boolean): void;
    removeAll(): void;
    overlayItems: AladinFootprint[];
    reportChange?(): void;
  }
  export interface Aladin {
    addOverlay(o: AladinOverlay): void;
    addCatalog(c: AladinCatalog): void;
    on(event: string, cb: (...args: unknown[]) => void): void;
    gotoRaDec(ra: number, dec: number): void;
    setFoV(deg: number): void;
    getRaDec(): ArrayLike<number>;
    getFov(): ArrayLike<number>;
    world2pix(ra: number, dec: number): ArrayLike<number> | null;
    setBaseImageLayer(hips: unknown): void;
    removeImageLayer?(name: string): void;
    setBackgroundColor?(c: string): void;
  }
  interface AladinStatic {
    init: Promise<void>;
    aladin(div: HTMLElement | string, options: Record<string, unknown>): Aladin;
    graphicOverlay(o?: Record<string, unknown>): AladinOverlay;
    polygon(vertices: Array<[number, number]>, o?: Record<string, unknown>): AladinFootprint;
    catalog(o?: Record<string, unknown>): AladinCatalog;
    source(ra: number, dec: number, data?: Record<string, unknown>, o?: Record<string, unknown>): AladinSource;
    HiPS(idOrUrl: string, o?: Record<string, unknown>): unknown;
  }
  const A: AladinStatic;
  export default A;
}
