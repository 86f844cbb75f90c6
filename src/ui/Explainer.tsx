// What you are seeing: a short explainer at the top (foldable, remembered) and the row of links under the title —
// "?" brings the explainer back, the glossary, a jump to *What matters*, the "Start here" box again, the projector scale.
import { selectLive } from '../store/selectors';
import { useEffect } from 'react';
import { useLab } from '../store';
import { GlossLink } from './Glossary';
import { openGlossary, type ProjectorMode, useUi } from './uiPrefs';

/** Scroll to a panel by its element id and move the focus there (for keyboard and screen-reader users too). */
export function jumpTo(id: string) {
  const el = document.getElementById(id);
  if (!el) return;
  el.scrollIntoView({ behavior: 'smooth', block: 'start' });
  el.focus({ preventScroll: true });
}

export function Explainer() {
  const folded = useUi((s) => s.explainerFolded);
  if (folded) return null;
  return (
    <section className="explainer" data-testid="explainer" aria-label="what this lab shows">
      <div>
        <p>
          <b>Distillation</b> trains a small model to imitate a big one. Here the <b>teacher</b>{' '}
          <GlossLink term="teacher" /> is a mini-LLaVA (an image encoder, a projector and a small language model) that
          answers questions about toy images; the <b>student</b> <GlossLink term="student" /> is a smaller one, trained
          live in this tab. The teacher's answers, token probabilities and hidden states were computed once and ship in
          the pack: the <b>cached outputs</b> <GlossLink term="cached" />, so the student learns without running the
          teacher.
        </p>
        <p>
          Each loss term is one way to learn — <b>CE</b> from the labels, <b>KD</b>, <b>hidden</b>, <b>affinity</b> and{' '}
          <b>attention</b> from the teacher; the knobs on the left set their weights. Watch the loss fall and the val
          accuracy rise; a <b>race</b> trains up to four students side by side, and <i>What matters</i> shows which of
          the paper's findings hold here.
        </p>
      </div>
      <button
        type="button"
        className="ghost"
        data-testid="explainer-fold"
        aria-label="fold the explainer away (the ? button brings it back)"
        onClick={() => useUi.getState().set({ explainerFolded: true })}
      >
        fold ▴
      </button>
    </section>
  );
}

const NEXT_MODE: Record<ProjectorMode, ProjectorMode> = { auto: 'on', on: 'off', off: 'auto' };

/** The projector scale in force: on, or auto on a ≥ 1,600 px wide window; set on <html data-scale>. */
export function useProjectorScale() {
  const mode = useUi((s) => s.projector);
  useEffect(() => {
    const mq = window.matchMedia('(min-width: 1600px)');
    const apply = () => {
      document.documentElement.dataset.scale =
        mode === 'on' || (mode === 'auto' && mq.matches) ? 'projector' : 'normal';
    };
    apply();
    mq.addEventListener('change', apply);
    return () => mq.removeEventListener('change', apply);
  }, [mode]);
}

export function TopNav() {
  const folded = useUi((s) => s.explainerFolded);
  const mode = useUi((s) => s.projector);
  const hintShown = useUi((s) => s.hintShown);
  const autoHint = useLab((s) => !s.settings.hintDismissed && s.runs.length === 0 && selectLive(s) == null);
  return (
    <nav className="topnav" aria-label="help and navigation">
      {folded ? (
        <button
          type="button"
          className="ghost qm-big"
          data-testid="explainer-open"
          aria-label="what is this? (show the explainer)"
          title="what is this?"
          onClick={() => useUi.getState().set({ explainerFolded: false })}
        >
          ?
        </button>
      ) : null}
      <button type="button" className="ghost" data-testid="glossary-open" onClick={() => openGlossary('')}>
        glossary
      </button>
      <a
        href="#what-matters"
        data-testid="goto-findings"
        onClick={(e) => {
          e.preventDefault();
          jumpTo('what-matters');
        }}
      >
        What matters ↓
      </a>
      {!hintShown && !autoHint ? (
        <button
          type="button"
          className="ghost"
          data-testid="start-here"
          onClick={() => {
            useUi.getState().set({ hintShown: true });
            requestAnimationFrame(() => jumpTo('start-here-box'));
          }}
        >
          Start here
        </button>
      ) : null}
      <button
        type="button"
        className="ghost"
        data-testid="projector-toggle"
        aria-label={`projector: ${mode} (larger type; click for ${NEXT_MODE[mode]})`}
        title="larger type and chart labels for a projector; auto: on at ≥ 1,600 px wide"
        onClick={() => useUi.getState().set({ projector: NEXT_MODE[mode] })}
      >
        projector: {mode}
      </button>
    </nav>
  );
}
