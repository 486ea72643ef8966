import { useWorkbench } from '../state/store';
import { ErrorBoundary } from './ErrorBoundary';
import { useShortcuts } from './keyboard';
import { StartPage } from './StartPage';
import { SubtileView } from './SubtileView';
import { installTestHook } from './test-hook';
import { useUrlSync } from './url-sync';

installTestHook();

export function App() {
  const manifest = useWorkbench((s) => s.manifest);
  useShortcuts();
  useUrlSync();
  return <ErrorBoundary>{manifest ? <SubtileView key={manifest} manifestUrl={manifest} /> : <StartPage />}</ErrorBoundary>;
}
