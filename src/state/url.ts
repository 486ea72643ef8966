// The parts of the view that live in the page URL (so a link restores them): see share.ts.
import { decodeShare, encodeShare, type ShareState } from './share';

export type UrlState = ShareState;

export function readUrlState(search: string): UrlState {
  return decodeShare(search).state;
}

export function writeUrlState(s: UrlState): string {
  return encodeShare(s);
}
