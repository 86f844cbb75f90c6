// The lesson mode's content (`?lesson=ID`, the "Lessons" menu): guided walks through the paper's findings for a class,
// each step a race preset to load and play, what to watch in two sentences and a longer text behind "more". Pure data.

export interface LessonStep {
  race: string; // a race preset id (store/races.ts): the lanes this step loads and plays
  title: string;
  short: string; // two sentences: what to watch
  detail: string; // the longer text behind "more" (GAN Lab's levels of detail)
  findingId?: string; // the finding whose paper numbers and lab verdicts the step quotes (core/findings.ts)
  /** How many steps the lanes took to separate when measured offline (the rule of core/separation.ts), with where the
   *  number comes from; absent: the lesson quotes the study's run length instead. */
  separatesBy?: { steps: number; source: string };
}

export interface Lesson {
  id: string;
  title: string;
  about: string; // one line for the menu
  steps: LessonStep[];
}

export const LESSONS: Lesson[] = [
  {
    id: 'what-matters',
    title: 'What matters in distillation',
    about:
      'Five races, five findings: KD against CE, the KD weight, the temperature, hidden states and the teacher’s data.',
    steps: [
      {
        race: 'ce-vs-kd',
        title: 'Does the teacher’s distribution help?',
        short:
          'Two students learn from the same images and answers; the orange lane also matches the teacher’s whole output distribution (forward KL ×5). Watch the accuracy chart: the lanes start together and part once the soft targets have taught the student something the answers alone do not.',
        detail:
          'Both lanes train on 500 labeled samples plus 3,000 unlabeled images that the teacher answered (cross-entropy on the labels and on the teacher’s answers, seqCE). The second lane adds a logit term: the KL divergence from the teacher’s softmax to the student’s, weighted 5. Compare the lanes on val exact match, not on the loss chart’s total, which includes the KD term only in the second lane. Separated means their val scores differ by more than the 95 % interval of two rates measured on the same fixed val samples.',
        findingId: 'F1',
        separatesBy: {
          steps: 600,
          source: 'bench/results/separation.json: shapes, median of 3 seeds (30, 600, 750 steps)',
        },
      },
      {
        race: 'finding-F2',
        title: 'How much weight on the KD term?',
        short:
          'The same logit term at weight 1 and at weight 5, with the teacher’s extra data and without it. Watch whether the ×5 lanes pull ahead of their ×1 partners, and whether the data setting changes the answer.',
        detail:
          'The paper trains its 1.4B student with the KL term ×1 and ×5 and finds ×5 better. In the lab the weight scales the KD gradient against the CE gradient: too little and the student ignores the teacher, too much and it ignores the labels. The two labeled-only lanes show the same comparison with only the 500 labels, where the teacher’s distribution is the only extra signal.',
        findingId: 'F2',
      },
      {
        race: 'temperature',
        title: 'How soft should the targets be?',
        short:
          'Four students learn from the teacher’s distribution alone (no label loss, seqCE 1), softened at temperature 0.1, 0.25, 0.7 and 1. Watch the low-temperature lanes: a nearly one-hot target gives the student little beyond the answer.',
        detail:
          'Dividing the logits by T before the softmax flattens the distribution when T is large and sharpens it when T is small. The paper reports T 0.1 < 0.25 < 0.7 ≈ 1 with only the distillation loss ×5 kept. The loss chart is not comparable across these lanes (a low T scales the KD term up); read the accuracy chart.',
        findingId: 'F4',
      },
      {
        race: 'logits-hidden',
        title: 'Logits, hidden states or both?',
        short:
          'One lane matches the teacher’s outputs, one its last hidden states through a learned projection, one both. Watch which single signal helps more, and whether both together beat each alone.',
        detail:
          'The hidden-state term compares the student’s last hidden states, mapped by a small learned φ (Linear → GELU → Linear) into the teacher’s width, with the teacher’s (MSE). The paper finds hidden states alone weaker than logits and the two together best. In the small lab the hidden states carry a lot of the teacher’s structure, so the ordering may differ: the verdict below says what the lab’s study found.',
        findingId: 'F5',
      },
      {
        race: 'labeled-vs-unlabeled',
        title: 'More data answered by the teacher',
        short:
          'Both lanes train with CE + fKL ×5; one sees only the 500 labeled samples, the other also 3,000 unlabeled images answered by the teacher. Watch how far apart they end: of all the choices in this lesson, this one usually matters most.',
        detail:
          'The paper’s strongest lever is data: the teacher answers extra images and the student learns from those answers (sequence-level distillation) as well as from the logits. In the lab the unlabeled split is ten times the labeled one. This step closes the lesson: the table below puts each finding’s paper number beside the lab’s verdict.',
        findingId: 'F9',
      },
    ],
  },
  {
    id: 'matching',
    title: 'How to match the teacher',
    about: 'Three races on the objective: which divergence, and whether affinity or attention terms add anything.',
    steps: [
      {
        race: 'finding-F10',
        title: 'Which divergence?',
        short:
          'Four students match the teacher’s outputs with forward KL, reverse KL, Jensen–Shannon and the MSE of the logits. Watch whether forward KL, the paper’s choice, stays on top.',
        detail:
          'Forward KL(teacher ‖ student) makes the student cover every answer the teacher thinks likely; reverse KL lets it settle on the teacher’s top answer; JSD sits between; logit MSE ignores the softmax altogether. The paper’s notes hold one divergence pair, logit cross-entropy against forward KL, and forward KL wins it on TextVQA.',
        findingId: 'F10',
      },
      {
        race: 'finding-F7',
        title: 'Does affinity add anything?',
        short:
          'Both lanes distil the logits; one also matches the teacher’s token-to-token similarities (affinity). Watch whether the extra term moves the accuracy at all.',
        detail:
          'The affinity term is relation distillation: how much each answer token looks like each image patch (the cosine of their hidden states, a patches × answer-tokens matrix), the student’s matrix pulled towards the teacher’s. The paper reports that it adds little on top of logit distillation: "about equal" is the claim, so here a separation would go against the paper.',
        findingId: 'F7',
      },
      {
        race: 'finding-F8',
        title: 'Do attention maps add anything?',
        short:
          'Both lanes distil the logits; one also matches the teacher’s attention maps. Watch whether the lanes stay together, as the paper claims they should.',
        detail:
          'The attention term pulls the student’s last-layer attention from answer positions to image patches (heads averaged) towards the teacher’s. The paper finds it adds little; the lab’s verdict below tests "about equal" with an equivalence test in the fair study.',
        findingId: 'F8',
      },
    ],
  },
];

export const LESSON_IDS: readonly string[] = LESSONS.map((l) => l.id);

export const lessonById = (id: string | null | undefined): Lesson | undefined => LESSONS.find((l) => l.id === id);

/** "k / n" of a lesson's step (index from 0), as `lesson-step` shows it. */
export const stepLabel = (index: number, lesson: Lesson): string => `${index + 1} / ${lesson.steps.length}`;

/** A step index moved by `delta` and kept inside the lesson. */
export const clampStep = (index: number, delta: number, lesson: Lesson): number =>
  Math.min(lesson.steps.length - 1, Math.max(0, index + delta));
