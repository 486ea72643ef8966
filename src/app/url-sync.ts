// Keep the address bar equal to the share link of the current view (replaceState, debounced), and
// follow the browser's back/forward buttons between opened manifests.
import { useEffect } from 'react';
import { decodeShare } from '../state/share';
import { shareQuery, useWorkbench } from '../state/store';

export function useUrlSync() {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsub = useWorkbench.subscribe((s) => {
      if (s.load.status !== 'ready') return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const q = shareQuery(useWorkbench.getState());
        if (q !== location.search && !useWorkbench.getState().droppedFiles) history.replaceState(null, '', location.pathname + q);
      }, 250);
    });
    const onPop = () => {
      const { state } = decodeShare(location.search);
      const s = useWorkbench.getState();
      if (state.manifest !== s.manifest) {
        if (state.manifest) s.openManifest(state.manifest);
        else s.closeManifest();
      }
    };
    window.addEventListener('popstate', onPop);
    return () => {
      unsub();
      clearTimeout(timer);
      window.removeEventListener('popstate', onPop);
    };
  }, []);
}
