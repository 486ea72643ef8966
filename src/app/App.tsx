import { useWorkbench } from '../state/store';
import { StartPage } from './StartPage';
import { SubtileView } from './SubtileView';

export function App() {
  const manifest = useWorkbench((s) => s.manifest);
  return manifest ? <SubtileView manifestUrl={manifest} /> : <StartPage />;
}
