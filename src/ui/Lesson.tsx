// The lesson mode (`?lesson=ID`, the "Lessons" menu at the top): a guided walk through the paper's findings. Each step
// loads its race preset and plays it, says what to watch (short, "more" for the detail), tracks when the lanes separate.
import { useEffect, useMemo, useRef } from 'react';
import { type AccPoint, firstSeparation, latestGap, type Separation } from '../core/race/separation';
import { type Lesson, type LessonStep, LESSONS, lessonById, stepLabel } from '../core/study/lessons';
import { parseUrlState } from '../core/config/urlState';
import { useLab } from '../store';
import { useLesson } from '../store/lesson';
import { raceById } from '../store/races';
import { packIdOf, URL_CATALOG } from './shippedPacks';
import { useController } from './useController';
import { LessonSummary, LessonVerdict } from './LessonVerdict';
import { studyFor } from './studyData';
import './lesson.css';

/** The "Lessons" menu at the top: choosing one opens it at step 1. */
export function LessonSelect() {
  const id = useLesson((s) => s.lessonId);
  const open = useLesson((s) => s.open);
  return (
    <label className="lesson-entry">
      Lessons{' '}
      <select
        data-testid="lesson-select"
        value={id ?? ''}
        onChange={(e) => (e.target.value ? open(e.target.value) : useLesson.getState().close())}
        title="A guided walk through the paper's findings: each step loads a race and says what to watch"
      >
        <option value="">(choose a lesson)</option>
        {LESSONS.map((l) => (
          <option key={l.id} value={l.id} title={l.about}>
            {l.title} ({l.steps.length} steps)
          </option>
        ))}
      </select>
    </label>
  );
}

/** Whether arrow keys belong to the focused element (text and number fields, sliders, menus, editable text). */
function arrowsOwnedBy(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return true;
  if (t instanceof HTMLInputElement)
    return !['button', 'submit', 'reset', 'checkbox', 'radio', 'file', 'color'].includes(t.type);
  return false;
}

/** The lesson panel: shown while a lesson is open. */
export function LessonPanel() {
  const { lessonId, step, more, go, close, setMore } = useLesson();
  const lesson = lessonById(lessonId);

  // ?lesson=ID opens it at step 1 (an unknown id is refused by the URL table: the link banner names it)
  useEffect(() => {
    const id = parseUrlState(location.search, URL_CATALOG).state.lesson;
    if (id) useLesson.getState().open(id);
  }, []);

  // → next, ← back (not while a field owns the arrows)
  useEffect(() => {
    if (!lessonId) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || arrowsOwnedBy(e.target)) return;
      if (e.key === 'ArrowRight') go(1);
      else if (e.key === 'ArrowLeft') go(-1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lessonId, go]);

  useStepRace(lesson, step);
  if (!lesson) return null;
  const s = lesson.steps[step];
  const last = step === lesson.steps.length - 1;
  return (
    <section className="card lesson" data-testid="lesson" aria-label={`Lesson: ${lesson.title}`}>
      <header>
        <h2>{lesson.title}</h2>
        <span data-testid="lesson-step" className="lesson-count">
          {stepLabel(step, lesson)}
        </span>
        <button
          type="button"
          className="lesson-close"
          data-testid="lesson-close"
          onClick={close}
          aria-label="Close the lesson"
          title="Close the lesson (the race goes on)"
        >
          ✕
        </button>
      </header>
      <div className="lesson-body">
        <div>
          <h3>{s.title}</h3>
          <p data-testid="lesson-short">{s.short}</p>
          {more ? (
            <p data-testid="lesson-detail" className="lesson-detail">
              {s.detail}
            </p>
          ) : null}
          <button
            type="button"
            className="lesson-more"
            data-testid="lesson-more"
            aria-expanded={more}
            onClick={() => setMore(!more)}
          >
            {more ? 'less' : 'more'}
          </button>
        </div>
        <div>
          <StepStatus s={s} />
          {more && !last && s.findingId ? <StepVerdict findingId={s.findingId} /> : null}
          <nav className="lesson-nav">
            <button
              type="button"
              data-testid="lesson-back"
              onClick={() => go(-1)}
              disabled={step === 0}
              title="Back (←)"
            >
              ← Back
            </button>
            <PlayButton />
            <button type="button" data-testid="lesson-next" onClick={() => go(1)} disabled={last} title="Next (→)">
              Next →
            </button>
          </nav>
          <p className="lesson-keys">← → steps · Space trains / pauses</p>
        </div>
      </div>
      {last ? <LessonEnd lesson={lesson} /> : null}
    </section>
  );
}

/** Entering a step loads its race preset (the Race menu's action) and plays it, once the pack is in. */
function useStepRace(lesson: Lesson | undefined, step: number) {
  const lab = useController();
  const ready = useLab((s) => s.pack !== null && s.status !== 'loading');
  const loaded = useRef<string | null>(null);
  const key = lesson ? `${lesson.id}:${step}` : null;
  useEffect(() => {
    if (!key) loaded.current = null;
    if (!lesson || !ready || loaded.current === key) return;
    loaded.current = key;
    lab.applyRace(lesson.steps[step].race);
    lab.play();
  }, [lab, lesson, step, ready, key]);
}

function PlayButton() {
  const lab = useController();
  const status = useLab((s) => s.status);
  const running = status === 'running';
  return (
    <button
      type="button"
      data-testid="lesson-play"
      onClick={() => lab.toggle()}
      disabled={status === 'loading'}
      title="Train / pause (Space)"
    >
      {running ? '❚❚ Pause' : '▶ Play'}
    </button>
  );
}

/** The lanes' val curves (the race's live evaluations), re-read only when an evaluation arrives. */
function useCurves(): { curves: AccPoint[][]; names: string[]; n: number; raceId: string | null } {
  const key = useLab((s) => s.lanes.map((l) => `${l.id}:${l.evals.length}`).join(',')); // a string: a stable snapshot
  const names = useLab((s) => s.lanes.map((l) => l.name).join('\u0000'));
  const n = useLab((s) => s.pack?.evalSamples ?? 0);
  const raceId = useLab((s) => s.raceId);
  const curves = useMemo(
    () => useLab.getState().lanes.map((l) => l.evals.map((e) => ({ step: e.step, acc: e.overall }))),
    [key], // eslint-disable-line react-hooks/exhaustive-deps
  );
  return { curves, names: names.split('\u0000'), n, raceId };
}

const pts = (x: number) => x.toFixed(1);

/** Where the race stands: separated (and where), not yet (and how long the study needed), or another race loaded. */
function StepStatus({ s }: { s: LessonStep }) {
  const lab = useController();
  const { curves, names, n, raceId } = useCurves();
  const pack = usePackId();
  const sep = useMemo(() => (n > 0 ? firstSeparation(curves, n) : null), [curves, n]);
  const gap = useMemo(() => (n > 0 ? latestGap(curves, n) : null), [curves, n]);
  const pointed = useRef<number | null>(null);
  useEffect(() => {
    if (!sep || pointed.current === sep.step) return;
    pointed.current = sep.step;
    pointAtChart(window.matchMedia?.('(min-width: 760px)').matches ?? false); // the panel sticks above the chart there
  }, [sep]);
  useEffect(() => {
    pointed.current = null;
  }, [s]);

  if (raceId !== s.race) {
    return (
      <p className="lesson-status" data-testid="lesson-separation" data-state="other-race">
        Another race is loaded.{' '}
        <button type="button" onClick={() => lab.applyRace(s.race)}>
          Load “{raceById(s.race)?.label ?? s.race}” again
        </button>
      </p>
    );
  }
  if (sep) return <Separated sep={sep} names={names} n={n} />;
  const study = studyFor(pack);
  const needed = s.separatesBy
    ? `the study needed ~${s.separatesBy.steps.toLocaleString('en-US')} steps (${s.separatesBy.source})`
    : study
      ? `the study compared these lanes after ${study.steps.toLocaleString('en-US')} steps (study/${pack}.json)`
      : 'no study of this pack says how long it takes';
  return (
    <p className="lesson-status" data-testid="lesson-separation" data-state="not-yet">
      <b>Not separated yet</b>
      {gap && gap.step > 0
        ? ` (step ${gap.step}: widest gap ${pts(gap.gap)} points, needs more than ${pts(gap.margin)} on ${n} val samples)`
        : ' (no evaluation since training began)'}
      : {needed}.
    </p>
  );
}

function Separated({ sep, names, n }: { sep: Separation; names: string[]; n: number }) {
  return (
    <p className="lesson-status separated" data-testid="lesson-separation" data-state="separated" data-step={sep.step}>
      <b>Separated at step {sep.step}</b>: {names[sep.lanes[0]]} {pts(sep.acc[0])} % vs {names[sep.lanes[1]]}{' '}
      {pts(sep.acc[1])} % — a gap of {pts(sep.gap)} points, beyond the 95 % interval of {pts(sep.margin)} on {n} val
      samples.{' '}
      <button type="button" data-testid="lesson-point" onClick={() => pointAtChart(true)}>
        Show on the chart
      </button>
    </p>
  );
}

/** Highlight the accuracy chart (and its separation mark when one is drawn); scroll it into view when asked. */
function pointAtChart(scroll: boolean) {
  const chart = document.querySelector<HTMLElement>('[data-testid="accuracy-chart"]');
  if (!chart) return;
  const mark = chart.querySelector<HTMLElement>('[data-testid="separation-mark"]');
  if (scroll) (mark ?? chart).scrollIntoView({ behavior: 'smooth', block: 'center' });
  chart.classList.remove('lesson-pointed');
  void chart.offsetWidth; // restart the animation
  chart.classList.add('lesson-pointed');
  window.setTimeout(() => chart.classList.remove('lesson-pointed'), 4000);
}

/** The shipped pack id the lab has loaded (shapes while none, or for a pack the person brought). */
function usePackId(): string {
  const packName = useLab((st) => st.pack?.name ?? null);
  return (packName && packIdOf(packName)) || 'shapes';
}

/** The step's finding: the paper's number beside the lab's verdict. */
function StepVerdict({ findingId }: { findingId: string }) {
  return <LessonVerdict findingId={findingId} pack={usePackId()} />;
}

/** The lesson's end: every step's finding, the paper's numbers beside the lab's verdicts. */
function LessonEnd({ lesson }: { lesson: Lesson }) {
  const ids = [...new Set(lesson.steps.map((x) => x.findingId).filter((x): x is string => !!x))];
  return <LessonSummary findingIds={ids} pack={usePackId()} />;
}
