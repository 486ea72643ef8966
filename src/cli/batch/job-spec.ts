// What every scheduler template shares: the array size, the `shearwb batch` command line each
// task runs, and resource strings checked once (time, memory) so the three templates agree.

export type Scheduler = 'slurm' | 'k8s' | 'aws';

export interface JobSpec {
  /** The manifest list as the compute nodes see it (relative to `workdir` when relative). */
  list: string;
  /** Output folder as the nodes see it; must be shared by every task (network FS, PVC, EFS). */
  outdir: string;
  /** Number of manifests in the list (counted where `jobs` runs). */
  manifests: number;
  /** Array size: tasks = ceil(manifests / perTask) with perTask, else shards (default: one per manifest). */
  tasks: number;
  perTask?: number;
  attempts?: number;
  steps?: number;
  optimizer?: string;
  name: string;
  image?: string;
  partition?: string;
  queue?: string;
  gpus: number;
  cpus: number;
  /** Wall time per task in seconds. */
  timeSeconds?: number;
  /** Memory per task in MiB. */
  memMiB?: number;
  workdir?: string;
  /** Most tasks running at once. */
  parallel?: number;
  /** Kubernetes: PersistentVolumeClaim mounted for the list and outputs, and where. */
  pvc?: { claim: string; mountPath: string };
}

/** The command each array task runs; the shard index comes from the scheduler's environment. */
export function batchArgv(s: JobSpec, shard: string = 'auto'): string[] {
  const a = ['npx', 'shearwb', 'batch', s.list, '--out', s.outdir, '--shard', shard];
  if (s.perTask !== undefined) a.push('--per-task', String(s.perTask));
  if (s.attempts !== undefined) a.push('--retries', String(s.attempts));
  if (s.steps !== undefined) a.push('--steps', String(s.steps));
  if (s.optimizer !== undefined) a.push('--optimizer', s.optimizer);
  return a;
}

/** POSIX shell quoting: bare when safe, else single quotes. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `HH:MM:SS`, `MM:SS`, `D-HH:MM:SS` (Slurm's forms) or plain minutes → seconds. */
export function parseTime(t: string): number {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?$/.exec(t.trim());
  if (!m) throw new Error(`--time '${t}': expected HH:MM:SS (or D-HH:MM:SS, MM:SS, minutes)`);
  const [d, a, b, c] = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? undefined : Number(x)));
  let s: number;
  if (c !== undefined) s = a! * 3600 + b! * 60 + c; // H:M:S
  else if (b !== undefined) s = d !== undefined ? a! * 3600 + b * 60 : a! * 60 + b; // D-H:M or M:S
  else s = d !== undefined ? a! * 3600 : a! * 60; // D-H or minutes
  s += (d ?? 0) * 86400;
  if ((b ?? 0) >= 60 || (c ?? 0) >= 60) throw new Error(`--time '${t}': minutes and seconds must be below 60`);
  if (s <= 0) throw new Error(`--time '${t}': must be positive`);
  return s;
}

/** Seconds → Slurm's D-HH:MM:SS / HH:MM:SS. */
export function formatTime(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const hms = [h, m, s].map((x) => String(x).padStart(2, '0')).join(':');
  return d ? `${d}-${hms}` : hms;
}

/** `16G`, `16GB`, `16Gi`, `16000M`, `16000` (MiB) → MiB. */
export function parseMem(m: string): number {
  const x = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B?|B)?\s*$/i.exec(m);
  if (!x) throw new Error(`--mem '${m}': expected a size such as 16G, 16000M or 16Gi`);
  const f: Record<string, number> = { '': 1, K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };
  const mib = Math.ceil(Number(x[1]) * f[x[2]!.toUpperCase()]!);
  if (mib < 1) throw new Error(`--mem '${m}': must be at least 1 MiB`);
  return mib;
}

/** A Kubernetes object name: lower-case alphanumerics and '-'. */
export function k8sName(name: string): string {
  const n = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  if (!n) throw new Error(`--name '${name}': no usable characters for a Kubernetes name`);
  return n;
}

/** Why WebGPU needs more than a GPU on a node; repeated in every template. */
export const GPU_NOTES = [
  'Headless Chromium runs the engine through WebGPU. On a GPU node it needs:',
  '  - Chromium started with --enable-unsafe-webgpu (shearwb does this itself);',
  '  - a Vulkan-capable driver with its ICD visible (NVIDIA: /usr/share/vulkan/icd.d/nvidia_icd.json,',
  '    and in containers NVIDIA_DRIVER_CAPABILITIES must include "graphics", or the Vulkan ICD is not mounted);',
  '  - the Chromium of the image or node (CHROMIUM_PATH overrides where shearwb looks).',
  'Check the adapter each run used in metadata_*.yaml (adapter): "swiftshader" means the CPU —',
  'correct but far slower. (This version starts Chromium with the SwiftShader adapter forced,',
  'src/testing/chromium.ts CHROMIUM_ARGS; choosing the hardware adapter is still to be wired.)',
];
