// Colours the canvases and charts draw with, per theme (CSS variables cannot reach canvas or SVG attributes).
// Contrast against the background is ≥ 4.5:1 for text colours in both themes.
import { useLab } from '../store';

export interface Palette {
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  empty: string;
  total: string; // the total-loss line
}

const LIGHT: Palette = {
  bg: '#ffffff',
  fg: '#222222',
  muted: '#555555',
  grid: '#dddddd',
  empty: '#eeeeee',
  total: '#222222',
};
const DARK: Palette = {
  bg: '#1c1f24',
  fg: '#e8e8e8',
  muted: '#b0b0b0',
  grid: '#3a3f47',
  empty: '#2b2f36',
  total: '#f0f0f0',
};

export function usePalette(): Palette {
  return useLab((s) => s.dark) ? DARK : LIGHT;
}
