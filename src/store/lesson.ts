// The lesson mode's state (`?lesson=ID`, the "Lessons" menu): which lesson is open, at which step, and whether the
// step's detailed text is shown. Its own small zustand store beside the lab's (the lab's slices do not depend on it).
import { create } from 'zustand';
import { clampStep, lessonById } from '../core/study/lessons';

export interface LessonState {
  lessonId: string | null; // null: no lesson open
  step: number; // index into the lesson's steps
  more: boolean; // the detailed text shown
  open: (id: string) => boolean; // opens at step 1; false (and nothing changes) for an unknown id
  close: () => void;
  go: (delta: number) => void; // next (+1) / back (−1), kept inside the lesson
  setMore: (more: boolean) => void;
}

export const useLesson = create<LessonState>((set, get) => ({
  lessonId: null,
  step: 0,
  more: false,
  open: (id) => {
    if (!lessonById(id)) return false;
    set({ lessonId: id, step: 0, more: false });
    return true;
  },
  close: () => set({ lessonId: null, step: 0, more: false }),
  go: (delta) => {
    const l = lessonById(get().lessonId);
    if (l) set({ step: clampStep(get().step, delta, l) });
  },
  setMore: (more) => set({ more }),
}));
