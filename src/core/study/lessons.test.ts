// The lessons' content (core/lessons.ts): every step names a finding that exists, says what to watch in two sentences
// with a longer text behind "more", and the step helpers keep inside the lesson (the races: store/lesson.test.ts).
import { describe, expect, it } from 'vitest';
import { findingById } from './findings';
import { clampStep, LESSON_IDS, LESSONS, lessonById, stepLabel } from './lessons';

const sentences = (s: string) => s.trim().split(/(?<=[.!?])\s+(?=[A-Z“"(])/).length;

describe('LESSONS', () => {
  it('have unique ids, and a 4–5-step lesson first', () => {
    expect(new Set(LESSON_IDS).size).toBe(LESSONS.length);
    expect(LESSONS[0].steps.length).toBeGreaterThanOrEqual(4);
    expect(LESSONS[0].steps.length).toBeLessThanOrEqual(5);
    for (const l of LESSONS) expect(l.id).toMatch(/^[a-z0-9-]+$/); // safe in ?lesson=
  });

  for (const l of LESSONS) {
    describe(l.id, () => {
      it('names race presets and findings that exist', () => {
        for (const s of l.steps) {
          expect(s.race, `${l.id}: race id`).toMatch(/^[A-Za-z0-9-]+$/); // that the preset exists: store/lesson.test.ts
          if (s.findingId) expect(findingById(s.findingId), `${l.id}: finding ${s.findingId}`).toBeDefined();
        }
      });
      it('says what to watch in two sentences, with a longer text behind "more"', () => {
        for (const s of l.steps) {
          expect(sentences(s.short), s.short).toBe(2);
          expect(s.detail.length).toBeGreaterThan(s.short.length);
          expect(s.title.length).toBeGreaterThan(0);
        }
      });
      it('quotes offline separation steps only as positive integers with a source', () => {
        for (const s of l.steps) {
          if (!s.separatesBy) continue;
          expect(Number.isInteger(s.separatesBy.steps) && s.separatesBy.steps > 0).toBe(true);
          expect(s.separatesBy.source.length).toBeGreaterThan(0);
        }
      });
    });
  }
});

describe('step helpers', () => {
  const l = LESSONS[0];
  it('label the step "k / n"', () => {
    expect(stepLabel(0, l)).toBe(`1 / ${l.steps.length}`);
    expect(stepLabel(l.steps.length - 1, l)).toBe(`${l.steps.length} / ${l.steps.length}`);
  });
  it('keep next / back inside the lesson', () => {
    expect(clampStep(0, -1, l)).toBe(0);
    expect(clampStep(0, 1, l)).toBe(1);
    expect(clampStep(l.steps.length - 1, 1, l)).toBe(l.steps.length - 1);
  });
  it('find a lesson by id, and nothing for an unknown one', () => {
    expect(lessonById(l.id)).toBe(l);
    expect(lessonById('nope')).toBeUndefined();
    expect(lessonById(null)).toBeUndefined();
  });
});
