// Keyboard shortcuts of the workbench (DS9-like single keys); ignored while typing in a field.
import { useEffect } from 'react';
import { useWorkbench } from '../state/store';

export function useShortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      const s = useWorkbench.getState();
      if (s.load.status !== 'ready') return;
      const act: Record<string, () => void> = { n: () => s.stepSource(1), p: () => s.stepSource(-1), b: s.toggleBlink, r: s.resetView };
      const f = act[e.key.toLowerCase()];
      if (f) {
        e.preventDefault();
        f();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
