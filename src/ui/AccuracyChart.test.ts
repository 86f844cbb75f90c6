// Issue 27 in the UI (rendered to a string in Node): the accuracy chart shows the Bayes ceiling and the
// "vs labels | agrees with Bayes" switch only for a pack with ambiguous labels; the store keeps each evaluation's
// agreement; the student-init select offers 'pretrained LM' only when the pack ships a pretrained student.
import * as React from 'react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { recipeText } from '../core/config/recipes';
import { useLab } from '../store';
import { selectBayesAgreement, selectedLaneOf } from '../store/selectors';
import { resetLabStore } from '../store/testing/reset';
import type { PackInfo, WorkerToUi } from '../worker/protocol';
import { AccuracyChart, bayesCeiling, ceilingTitle, evalValues } from './AccuracyChart';
import { StudentInitSelect } from './StudentInitSelect';

// vitest's esbuild compiles the .tsx with the classic runtime (React.createElement); Vite's build uses react-jsx.
(globalThis as { React?: typeof React }).React = React;

const base = {
  name: 'p',
  families: ['a', 'b'],
  A: 4,
  evalSamples: 4,
  evalFamilyCounts: [3, 1],
  teacherAccuracy: { a: 50, b: 50 },
  teacherOverall: 50,
  bayesAccuracy: null,
  annotator: null,
  hasBayesAnswers: false,
  hasStudentInit: false,
  teacherCalibration: null,
} as unknown as PackInfo;
const hues = {
  ...base,
  bayesAccuracy: { a: 80, b: 40 },
  annotator: 'one draw per sample',
  hasBayesAnswers: true,
} as PackInfo;

const evalMsg = (bayes: boolean): WorkerToUi => ({
  type: 'eval',
  lane: 0,
  step: 10,
  overall: 50,
  perFamily: new Float32Array([60, 20]),
  valLoss: new Float32Array(3),
  alignment: new Float32Array(0),
  ...(bayes ? { bayesOverall: 75, bayesPerFamily: new Float32Array([90, 30]) } : {}),
});

/**
 * Render with the store as it is now: on a server render zustand reads the store's initial state (useSyncExternalStore's
 * server snapshot), so that object holds the current state for the render and gets its own back afterwards.
 */
function render(): string {
  const init = useLab.getInitialState() as unknown as Record<string, unknown>;
  const saved = { ...init };
  Object.assign(init, useLab.getState());
  try {
    return renderToString(createElement(AccuracyChart));
  } finally {
    Object.assign(init, saved);
  }
}

describe('Bayes ceiling', () => {
  it('per family from the pack; overall weighted by the val subset (plain mean without counts); null without', () => {
    expect(bayesCeiling(hues, 'a')).toBe(80);
    expect(bayesCeiling(hues, 'overall')).toBe((3 * 80 + 1 * 40) / 4);
    expect(bayesCeiling({ ...hues, evalFamilyCounts: [] }, 'overall')).toBe(60);
    expect(bayesCeiling(base, 'overall')).toBeNull();
    expect(bayesCeiling(null, 'a')).toBeNull();
    expect(ceilingTitle(hues)).toMatch(/weighted by their share of the 4 fixed val samples.*one draw per sample/);
  });
  it('evalValues picks the labels or the Bayes answers', () => {
    const row = {
      step: 1,
      overall: 50,
      perFamily: new Float32Array([60, NaN]),
      valLoss: new Float32Array(3),
      bayesOverall: 75,
      bayesPerFamily: new Float32Array([90, 30]),
    };
    expect(evalValues(row, 'labels')).toEqual({ overall: 50, perFamily: [60, null] });
    expect(evalValues(row, 'bayes')).toEqual({ overall: 75, perFamily: [90, 30] });
    expect(evalValues({ ...row, bayesOverall: undefined, bayesPerFamily: undefined }, 'bayes')).toEqual({
      overall: null,
      perFamily: [],
    });
  });
});

describe('AccuracyChart', () => {
  beforeEach(resetLabStore);

  it('a pack without Bayes answers: no ceiling, no switch', () => {
    useLab.getState().applyMessage({ type: 'packLoaded', info: base });
    useLab.getState().applyMessage(evalMsg(false));
    const html = render();
    expect(html).toContain('data-testid="accuracy-chart"');
    expect(html).not.toContain('bayes-ceiling');
    expect(html).not.toContain('accuracy-reference');
    expect(html).not.toContain('bayes-agreement');
    expect(selectBayesAgreement(useLab.getState())).toBeNull();
  });

  it('a pack with them: the ceiling (titled), the switch, the latest agreement; the store keeps it per evaluation', () => {
    useLab.getState().applyMessage({ type: 'packLoaded', info: hues });
    useLab.getState().applyMessage(evalMsg(true));
    const html = render();
    expect(html).toMatch(/data-testid="bayes-ceiling" data-ceiling="70.0" title="Bayes ceiling: [^"]*weighted/);
    expect(html).toContain('Bayes ceiling <!-- -->70.0<!-- -->%');
    expect(html).toMatch(/<select data-testid="accuracy-reference">.*vs labels.*agrees with Bayes/);
    expect(html).toMatch(/data-testid="bayes-agreement">75.0%/);
    expect(html).toMatch(/data-testid="val-accuracy">50.0%/); // the headline stays exact match with the labels
    const e = selectedLaneOf(useLab.getState()).evals.at(-1)!;
    expect(e.bayesOverall).toBe(75);
    expect(Array.from(e.bayesPerFamily!)).toEqual([90, 30]);
    expect(selectBayesAgreement(useLab.getState())).toBe(75);
  });
});

describe('student init', () => {
  const opts = (html: string) =>
    [...html.matchAll(/<option value="(\w+)"([^>]*)>/g)].map((m) => [m[1], /disabled/.test(m[2])]);
  it("'pretrained LM' is disabled (and says why) when the pack ships no student_init", () => {
    const html = renderToString(
      createElement(StudentInitSelect, { value: 'scratch', hasInit: false, onChange: () => {} }),
    );
    expect(html).toContain('data-testid="student-init"');
    expect(opts(html)).toEqual([
      ['scratch', false],
      ['pretrained', true],
    ]);
    expect(html).toMatch(/acts when a student is made \(Reset, \+ lane, a race\)/);
    expect(html).toMatch(/ships no pretrained student/);
  });
  it('enabled when it does', () => {
    const html = renderToString(
      createElement(StudentInitSelect, { value: 'pretrained', hasInit: true, onChange: () => {} }),
    );
    expect(opts(html)).toEqual([
      ['scratch', false],
      ['pretrained', false],
    ]);
  });
  it("the recipes say what 'pretrained' is for a real student; 'scratch' leaves them as they were", () => {
    const pre = recipeText(mergeConfig(DEFAULT_CONFIG, { studentInit: 'pretrained' }));
    expect(pre).toMatch(/--model_name_or_path "<pretrained student LM, e\.g\. MobileLLaMA-2\.7B>"/);
    expect(pre).toMatch(/# note: student init 'pretrained'.*initialise from a pretrained LM/);
    expect(pre).toMatch(/GKDTrainer\(model="<pretrained student LM/);
    expect(recipeText(mergeConfig(DEFAULT_CONFIG, { studentInit: 'scratch' }))).toBe(
      recipeText({ ...DEFAULT_CONFIG, studentInit: undefined }),
    );
  });
});
