// One panel's WebGL drawing: a float texture of the image on a plane in pixel coordinates, an
// orthographic camera for the linked view, and a fragment shader that stretches and colour-maps.
import * as THREE from 'three';
import type { ColourMap, Stretch, View } from '../../state/share';
import { colourLut, LUT_SIZE } from './colormaps';

const STRETCH_CODE: Record<Stretch, number> = { linear: 0, log: 1, sqrt: 2, asinh: 3 };

const VERTEX = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`;

// t = (v − lo)/(hi − lo) clipped to [0, 1], then the stretch, then the LUT. NaN shows as dark purple.
const FRAGMENT = /* glsl */ `
uniform sampler2D image;
uniform sampler2D lut;
uniform float lo;
uniform float hi;
uniform int stretch;
varying vec2 vUv;
float asinh_(float x) { return log(x + sqrt(x * x + 1.0)); }
void main() {
  float v = texture2D(image, vUv).r;
  if (isnan(v)) { gl_FragColor = vec4(0.3, 0.0, 0.3, 1.0); return; }
  float t = clamp((v - lo) / (hi - lo), 0.0, 1.0);
  if (stretch == 1) t = log(1.0 + 1000.0 * t) / log(1001.0);
  else if (stretch == 2) t = sqrt(t);
  else if (stretch == 3) t = asinh_(10.0 * t) / asinh_(10.0);
  float u = (t * float(${LUT_SIZE - 1}) + 0.5) / float(${LUT_SIZE});
  gl_FragColor = vec4(texture2D(lut, vec2(u, 0.5)).rgb, 1.0);
}`;

export class ImageRenderer {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.OrthographicCamera(-1, 1, 1, -1, -10, 10);
  private readonly material: THREE.ShaderMaterial;
  private mesh: THREE.Mesh | null = null;
  private texture: THREE.DataTexture | null = null;
  private lut: THREE.DataTexture | null = null;
  private lutName: ColourMap | null = null;
  private size = { w: 1, h: 1 };

  constructor(canvas: HTMLCanvasElement) {
    // preserveDrawingBuffer: screenshots and pixel read-back in tests see the last frame.
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(1);
    this.renderer.setClearColor(0x141414, 1);
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: { image: { value: null }, lut: { value: null }, lo: { value: 0 }, hi: { value: 1 }, stretch: { value: 3 } },
    });
  }

  /** Show `data` (nx × ny, row-major, row 0 at the bottom), or nothing. */
  setImage(data: Float32Array | null, nx: number, ny: number): void {
    if (!data) {
      if (this.mesh) this.scene.remove(this.mesh);
      return;
    }
    if (data.length !== nx * ny) throw new Error(`image has ${data.length} values, expected ${nx}×${ny}`);
    const img = this.texture?.image as { width: number; height: number; data: Float32Array } | undefined;
    if (this.texture && img && img.width === nx && img.height === ny) {
      if (img.data !== data) {
        img.data = data;
        this.texture.needsUpdate = true;
      }
    } else {
      this.texture?.dispose();
      const t = new THREE.DataTexture(data, nx, ny, THREE.RedFormat, THREE.FloatType);
      t.magFilter = THREE.NearestFilter;
      t.minFilter = THREE.NearestFilter;
      t.generateMipmaps = false;
      t.needsUpdate = true;
      this.texture = t;
      this.material.uniforms.image.value = t;
      if (this.mesh) {
        this.scene.remove(this.mesh);
        this.mesh.geometry.dispose();
      }
      // Pixel (i, j) covers [i − ½, i + ½] × [j − ½, j + ½].
      const geo = new THREE.PlaneGeometry(nx, ny);
      this.mesh = new THREE.Mesh(geo, this.material);
      this.mesh.position.set((nx - 1) / 2, (ny - 1) / 2, 0);
    }
    if (this.mesh && !this.mesh.parent) this.scene.add(this.mesh);
  }

  setDisplay(lo: number, hi: number, stretch: Stretch, cmap: ColourMap): void {
    const u = this.material.uniforms;
    u.lo.value = lo;
    u.hi.value = hi;
    u.stretch.value = STRETCH_CODE[stretch];
    if (this.lutName !== cmap) {
      this.lut?.dispose();
      const l = new THREE.DataTexture(colourLut(cmap), LUT_SIZE, 1, THREE.RGBAFormat, THREE.UnsignedByteType);
      l.magFilter = THREE.NearestFilter;
      l.minFilter = THREE.NearestFilter;
      l.needsUpdate = true;
      this.lut = l;
      this.lutName = cmap;
      u.lut.value = l;
    }
  }

  setSize(w: number, h: number): void {
    if (w === this.size.w && h === this.size.h) return;
    this.size = { w, h };
    this.renderer.setSize(w, h, false);
  }

  setView(v: View): void {
    const hw = this.size.w / (2 * v.zoom);
    const hh = this.size.h / (2 * v.zoom);
    this.camera.left = v.cx - hw;
    this.camera.right = v.cx + hw;
    this.camera.top = v.cy + hh;
    this.camera.bottom = v.cy - hh;
    this.camera.updateProjectionMatrix();
  }

  render(): void {
    this.renderer.render(this.scene, this.camera);
  }

  dispose(): void {
    this.texture?.dispose();
    this.lut?.dispose();
    this.mesh?.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
  }
}
