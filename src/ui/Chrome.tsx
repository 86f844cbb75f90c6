// Small pieces of the lab's frame: the light/dark toggle, the shareable-link button, and the first-visit hint
// (what to press), which stays dismissed across reloads (IndexedDB settings) and comes back from "Start here".
import { selectLive } from '../store/selectors';
import { useState } from 'react';
import { useLab } from '../store';
import { toggleTheme } from './runsController';
import { useUi } from './uiPrefs';

export function ThemeToggle() {
  const dark = useLab((s) => s.dark);
  return (
    <button
      data-testid="theme-toggle"
      className="ghost"
      onClick={toggleTheme}
      aria-label={dark ? 'switch to light mode' : 'switch to dark mode'}
      title="light / dark"
    >
      {dark ? '☀ light' : '☾ dark'}
    </button>
  );
}

export function CopyLink() {
  const [done, setDone] = useState(false);
  return (
    <button
      className="ghost"
      data-testid="copy-link"
      title="The address bar holds the pack, the seed and every changed knob: opening it reproduces the run's first losses on the same backend"
      onClick={() => {
        void navigator.clipboard?.writeText(location.href).then(
          () => setDone(true),
          () => setDone(false),
        );
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? 'link copied' : 'copy link to this run'}
    </button>
  );
}

export function FirstVisitHint() {
  const first = useLab((s) => !s.settings.hintDismissed && s.runs.length === 0 && selectLive(s) == null);
  const called = useUi((s) => s.hintShown); // called back by the "Start here" button
  if (!first && !called) return null;
  return (
    <aside
      className="firsthint"
      data-testid="first-visit-hint"
      aria-label="how to start"
      id="start-here-box"
      tabIndex={-1}
    >
      <p>
        <b>Start here:</b> press <kbd>▶ Train</kbd> (or <kbd>Space</kbd>) to distil the teacher into the student. Turn
        the knobs on the left while it runs (try <i>KD (logits)</i> = 1), pick a preset from the paper, and watch the
        loss, the accuracy and the alignment views.
      </p>
      <button
        className="ghost"
        aria-label="dismiss the hint"
        onClick={() => (
          useLab.getState().setSettings({ hintDismissed: true }),
          useUi.getState().set({ hintShown: false })
        )}
      >
        ×
      </button>
    </aside>
  );
}
