// The findings table: every condition is a valid config over the defaults, named by its base; every comparison names
// known conditions; lanes fit a race (≤ 4); every paper number has its provenance, with the corrected facts pinned.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, validateConfig } from '../config/config';
import { CONDITIONS, FINDINGS, findingConditions, findingLanes, NOT_STATED, paperText, paperValue, provenanceText, TRAINER_T } from './findings';
import { S14, S20_ALT, S20_FIRST, S27 } from './paperValues';

describe('findings table', () => {
  it('every condition validates over DEFAULT_CONFIG and its data setting matches its base and id', () => {
    for (const c of Object.values(CONDITIONS)) {
      const cfg = validateConfig(mergeConfig(DEFAULT_CONFIG, c.patch));
      expect(cfg.data.useUnlabeled, c.id).toBe(c.base === 'rich');
      expect(cfg.weights.seq, c.id).toBe(c.base === 'rich' ? 1 : 0);
      expect(c.id.startsWith(c.base === 'rich' ? 'rich-' : 'lab-'), c.id).toBe(true);
    }
  });

  it('the conditions differ from each other (no two ids train the same config)', () => {
    const seen = new Map<string, string>();
    for (const c of Object.values(CONDITIONS)) {
      const key = JSON.stringify(mergeConfig(DEFAULT_CONFIG, c.patch));
      expect(seen.get(key), `${c.id} duplicates ${seen.get(key)}`).toBeUndefined();
      seen.set(key, c.id);
    }
  });

  it('F1–F12, every comparison names known conditions, every condition is used by some finding', () => {
    expect(FINDINGS.map((f) => f.id)).toEqual(Array.from({ length: 12 }, (_, i) => `F${i + 1}`));
    const used = new Set(FINDINGS.flatMap(findingConditions));
    for (const id of used) expect(CONDITIONS[id], id).toBeDefined();
    expect([...Object.keys(CONDITIONS)].filter((id) => !used.has(id))).toEqual([]);
  });

  it('the data-rich CE + fKL is shared by F1, F2, F3, F5, F7, F8, F9, F10, F11', () => {
    const users = FINDINGS.filter((f) => findingConditions(f).includes('rich-fkl')).map((f) => f.id);
    expect(users).toEqual(['F1', 'F2', 'F3', 'F5', 'F7', 'F8', 'F9', 'F10', 'F11']);
  });

  it('decisive comparisons are on the data-rich base except F9 (which compares the bases)', () => {
    for (const f of FINDINGS) {
      const ids = f.comparisons.flatMap((c) => (c.kind === 'gt' ? [c.hi, c.lo] : [c.a, c.b]));
      const bases = new Set(ids.map((id) => CONDITIONS[id].base));
      expect([...bases].sort(), f.id).toEqual(f.id === 'F9' ? ['labeled', 'rich'] : ['rich']);
    }
  });

  it('lanes: 1–4 per finding, the decisive conditions first, with their patches', () => {
    for (const f of FINDINGS) {
      const lanes = findingLanes(f);
      expect(lanes.length, f.id).toBeGreaterThanOrEqual(2);
      expect(lanes.length, f.id).toBeLessThanOrEqual(4);
      expect(lanes[0].patch).toBe(CONDITIONS[findingConditions(f)[0]].patch);
    }
    expect(findingLanes(FINDINGS[0]).map((l) => l.name)).toEqual([CONDITIONS['rich-fkl'].label, CONDITIONS['rich-ce'].label, CONDITIONS['lab-fkl'].label, CONDITIONS['lab-ce'].label]);
  });

  it('the conditions carry what the findings vary (F3 online all positions, F4 temperatures, F11 λ)', () => {
    const cfg = (id: string) => mergeConfig(DEFAULT_CONFIG, CONDITIONS[id].patch);
    expect(cfg('rich-fkl-all').kd).toMatchObject({ allPositions: true, source: 'online' });
    expect(['rich-kd5-t01', 'rich-kd5-t025', 'rich-kd5-t07', 'rich-kd5-t1'].map((id) => [cfg(id).kd.T, cfg(id).weights.ce, cfg(id).weights.kd])).toEqual([
      [0.1, 0, 5],
      [0.25, 0, 5],
      [0.7, 0, 5],
      [1, 0, 5],
    ]);
    expect(cfg('rich-fkl-onpol').onPolicy.lambda).toBe(0.5);
    expect(cfg('rich-fkl3-t4').kd).toMatchObject({ T: 4, t2: true });
  });

  it('paperValue finds a quoted number and refuses a typo', () => {
    expect(paperValue('F5', 'logits ×5 + hidden ×5').textvqa).toBe(50.7);
    expect(() => paperValue('F5', 'nope')).toThrow(/F5/);
  });
});

describe('paper values: provenance (issue 28)', () => {
  const all = FINDINGS.flatMap((f) => f.paper.values.map((v) => ({ f: f.id, v })));
  const byExp = (id: string, exp: string) => findingById(id).paper.values.find((v) => v.exp === exp)!;
  const findingById = (id: string) => FINDINGS.find((f) => f.id === id)!;

  it('every value names its source, experiment, student, teacher, epochs and temperature, consistently', () => {
    expect(all.length).toBeGreaterThan(20);
    for (const { f, v } of all) {
      const at = `${f} ${v.label}`;
      expect(v.exp, at).toMatch(/\S/);
      expect(v.student, at).toMatch(/\S/);
      expect(v.teacher, at).toMatch(/\S/);
      expect(['exp', 'exp14', 'mobilevlm'], at).toContain(v.source);
      if (v.source !== 'mobilevlm') expect(v.line, at).toBeGreaterThan(0); // the entry's line in the stored notes
      expect(typeof v.epochs === 'number' || v.epochs === NOT_STATED, at).toBe(true);
      if (v.tFrom === 'none') expect([v.T, v.t2], at).toEqual([null, null]);
      if (v.tFrom === 'code') expect([v.T, v.t2], at).toEqual([0.7, true]); // the trainer as committed, 04d5a53 … b3795bb
      if (v.source === 'exp14') expect(v.student, at).toBe(S14);
      expect(provenanceText(v), at).toContain(v.exp);
    }
  });

  it('no value or note uses an internal phrase', () => {
    const text = JSON.stringify(FINDINGS.map((f) => f.paper)) + TRAINER_T;
    expect(text).not.toMatch(/issue/i);
  });

  it('a claim without a number in the sources says so, and where it comes from', () => {
    for (const f of FINDINGS) {
      if (!f.paper.inSources) expect(f.paper.claimSource, f.id).toMatch(/\S/);
      if (f.paper.values.length === 0) expect(f.paper.inSources, f.id).toBe(false);
    }
    expect(FINDINGS.filter((f) => !f.paper.inSources).map((f) => f.id)).toEqual(['F10', 'F11', 'F12']);
    expect(findingById('F10').paper.claimSource).toMatch(/no TextVQA number for reverse KL, JSD or logit MSE/);
    expect(findingById('F10').paper.values.map((v) => [v.exp, v.textvqa])).toEqual([['exp2', 44.7], ['exp1', 45.1]]);
  });

  it('F8: exp17 is the 20-layer LLaVA student from alternate layers; the matched pair is exp38 against exp39–41', () => {
    expect(byExp('F8', 'exp17')).toMatchObject({ textvqa: 46.3, student: S20_ALT, tFrom: 'none' });
    expect(S20_ALT).toBe('20-layer LLaVA student initialised from alternate layers of LLaVA-13B');
    expect(['exp38', 'exp39', 'exp40', 'exp41'].map((e) => byExp('F8', e).textvqa)).toEqual([54.1, 54.0, 54.0, 54.4]);
    for (const e of ['exp38', 'exp39', 'exp40', 'exp41']) expect(byExp('F8', e).student).toBe(S20_FIRST);
    expect(findingById('F8').paper.note).not.toMatch(/no matched/);
  });

  it('F6 carries the ×5 pair MSE 44.75 against cosine 45.1 (1.4B exp3/exp4) beside the ×1 pair', () => {
    expect([byExp('F6', 'exp3').textvqa, byExp('F6', 'exp4').textvqa]).toEqual([44.75, 45.1]);
    expect([byExp('F6', 'exp7').textvqa, byExp('F6', 'exp8').textvqa]).toEqual([43.98, 43.76]);
  });

  it('F4: KD only removed all of the student’s own loss; T from the notes, T² only where it was committed', () => {
    const vs = findingById('F4').paper.values;
    expect(vs.map((v) => [v.exp, v.T, v.t2])).toEqual([
      ['exp14', 0.1, NOT_STATED],
      ['exp13', 0.25, NOT_STATED],
      ['exp12', 0.7, true],
      ['exp18', 1, NOT_STATED],
    ]);
    for (const v of vs) expect(v.removed).toMatch(/all of the student’s own loss/);
    expect(findingById('F4').paper.note).toMatch(/keep seqCE at 1/);
  });

  it('F1: 47.5 is MobileVLM’s published score, not a run; the lab’s CE baseline is named a distillation term', () => {
    const ce = paperValue('F1', 'CE (no distillation)');
    expect(ce).toMatchObject({ textvqa: 47.5, source: 'mobilevlm', teacher: 'none (no distillation)' });
    expect(paperText(ce)).toMatch(/published/);
    expect(findingById('F1').paper.note).toMatch(/itself a distillation term/);
  });

  it('F3: exp3 ran 2 epochs, exp4 states none; the last committed recipe (exp91) uses all positions', () => {
    expect([byExp('F3', 'align_logits_exp3').epochs, byExp('F3', 'align_logits_exp4').epochs]).toEqual([2, NOT_STATED]);
    expect(findingById('F3').paper.note).toMatch(/exp91.*--align_logits_all True --norm_logits True/);
  });

  it('F5 says its “both best” is compared with logits ×1 only; the 2.7B values are MobileLLaMA 2.7B', () => {
    expect(findingById('F5').paper.note).toMatch(/not compared with hidden ×5 alone/);
    expect(byExp('F5', 'exp21').student).toBe(S27);
  });

  it('the temperature sentence says what the trainer ran: T 0.7 times 0.7², then T 1 without T² at fab50df', () => {
    expect(TRAINER_T).toMatch(/T 0\.7 and multiplies it by 0\.7²/);
    expect(TRAINER_T).toMatch(/fab50df.*T 1, no T²/);
  });
});
