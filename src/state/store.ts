// The workbench's shared state: what is open and what the user looks at. Components subscribe.
import { create } from 'zustand';
import { readUrlState, type UrlState } from './url';

export interface WorkbenchState extends UrlState {
  openManifest(url: string): void;
}

export const useWorkbench = create<WorkbenchState>((set) => ({
  ...readUrlState(typeof location === 'undefined' ? '' : location.search),
  openManifest: (url) => set({ manifest: url, results: undefined }),
}));
