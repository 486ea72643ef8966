import { useQuery } from '@tanstack/react-query';
import { acquireGpu } from '../engine/device';

/** Tells the user whether this browser can run the engine, and what to do when it cannot. */
export function GpuStatus() {
  const q = useQuery({
    queryKey: ['gpu'],
    queryFn: async () => {
      const ctx = await acquireGpu();
      const info = ctx.adapterInfo;
      ctx.device.destroy();
      return { ...info, isSoftware: ctx.isSoftware };
    },
  });
  if (q.isPending) return <p data-testid="gpu-status">Checking WebGPU…</p>;
  if (q.isError)
    return (
      <p data-testid="gpu-status" className="error">
        {(q.error as Error).message}
      </p>
    );
  const d = q.data;
  return (
    <p data-testid="gpu-status" data-adapter={d.architecture || d.vendor}>
      WebGPU ready: {[d.vendor, d.architecture, d.description].filter(Boolean).join(' · ') || 'adapter'}
      {d.isSoftware ? ' (software renderer: fits will be slow)' : ''}
    </p>
  );
}
