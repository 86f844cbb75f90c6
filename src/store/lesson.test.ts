// The lesson state (store/lesson.ts) and the lessons' races: every step names a race preset of two or more lanes;
// opening, moving and closing a lesson keep the step inside it, and an unknown id opens nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import { LESSONS } from '../core/study/lessons';
import { useLesson } from './lesson';
import { raceById } from './races';

describe('the lessons’ races', () => {
  for (const l of LESSONS) {
    it(`${l.id}: every step loads a race preset of at least two lanes`, () => {
      for (const s of l.steps) {
        const race = raceById(s.race);
        expect(race, `${l.id}: race ${s.race}`).toBeDefined();
        expect(race?.lanes.length).toBeGreaterThanOrEqual(2);
      }
    });
  }
});

describe('useLesson', () => {
  const l = LESSONS[0];
  beforeEach(() => useLesson.getState().close());

  it('opens a lesson at step 1 and moves inside it', () => {
    expect(useLesson.getState().open(l.id)).toBe(true);
    expect(useLesson.getState()).toMatchObject({ lessonId: l.id, step: 0, more: false });
    useLesson.getState().go(-1);
    expect(useLesson.getState().step).toBe(0);
    for (let i = 0; i < l.steps.length + 2; i++) useLesson.getState().go(1);
    expect(useLesson.getState().step).toBe(l.steps.length - 1);
    useLesson.getState().go(-1);
    expect(useLesson.getState().step).toBe(l.steps.length - 2);
  });

  it('reopening starts again at step 1 with the detail folded', () => {
    useLesson.getState().open(l.id);
    useLesson.getState().go(2);
    useLesson.getState().setMore(true);
    useLesson.getState().open(l.id);
    expect(useLesson.getState()).toMatchObject({ step: 0, more: false });
  });

  it('an unknown id opens nothing and leaves the open lesson as it was', () => {
    useLesson.getState().open(l.id);
    useLesson.getState().go(1);
    expect(useLesson.getState().open('no-such-lesson')).toBe(false);
    expect(useLesson.getState()).toMatchObject({ lessonId: l.id, step: 1 });
    useLesson.getState().close();
    expect(useLesson.getState().lessonId).toBeNull();
    useLesson.getState().go(1); // no lesson: nothing moves
    expect(useLesson.getState().step).toBe(0);
  });
});
