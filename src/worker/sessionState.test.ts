// The worker session's transition table, state by state: where each event leads from each phase, which ones the UI
// hears of, what the queue does in each phase, and a failed load's return to the phase it started from.
import { describe, expect, it } from 'vitest';
import {
  ANNOUNCED,
  canStep,
  INITIAL_STATE,
  type Phase,
  PHASES,
  type SessionEvent,
  type SessionState,
  statusOf,
  transition,
  workOf,
} from './sessionState';

const EVENTS: SessionEvent[] = [
  'load',
  'restore',
  'restoreFailed',
  'loaded',
  'loadFailed',
  'play',
  'pause',
  'halt',
  'newRace',
  'lost',
  'stop',
];
const at = (phase: Phase, prior: Phase | null = null): SessionState => ({ phase, prior });

/** Where `event` leads from `state`: a phase, 'ignored', or 'impossible' (it throws). */
function where(state: SessionState, event: SessionEvent): Phase | 'ignored' | 'impossible' {
  try {
    return transition(state, event)?.phase ?? 'ignored';
  } catch {
    return 'impossible';
  }
}

/** Each phase's row of the table, as where() reads it (a load's phases with a prior of `paused`). */
// one row per phase, as a transition table reads
// prettier-ignore
const ROWS: Record<Phase, Record<SessionEvent, Phase | 'ignored' | 'impossible'>> = {
  'no-pack': { load: 'loading', restore: 'recovering', restoreFailed: 'impossible', loaded: 'impossible', loadFailed: 'impossible', play: 'ignored', pause: 'ignored', halt: 'ignored', newRace: 'ignored', lost: 'ignored', stop: 'no-pack' },
  loading: { load: 'impossible', restore: 'impossible', restoreFailed: 'impossible', loaded: 'ready', loadFailed: 'paused', play: 'impossible', pause: 'impossible', halt: 'ignored', newRace: 'impossible', lost: 'recovering', stop: 'impossible' },
  recovering: { load: 'loading', restore: 'recovering', restoreFailed: 'loading', loaded: 'ready', loadFailed: 'paused', play: 'ignored', pause: 'ignored', halt: 'ignored', newRace: 'ignored', lost: 'ignored', stop: 'no-pack' },
  ready: { load: 'loading', restore: 'recovering', restoreFailed: 'impossible', loaded: 'impossible', loadFailed: 'impossible', play: 'running', pause: 'paused', halt: 'ignored', newRace: 'ready', lost: 'recovering', stop: 'no-pack' },
  running: { load: 'loading', restore: 'recovering', restoreFailed: 'impossible', loaded: 'impossible', loadFailed: 'impossible', play: 'running', pause: 'paused', halt: 'paused', newRace: 'ready', lost: 'recovering', stop: 'no-pack' },
  paused: { load: 'loading', restore: 'recovering', restoreFailed: 'impossible', loaded: 'impossible', loadFailed: 'impossible', play: 'running', pause: 'paused', halt: 'ignored', newRace: 'ready', lost: 'recovering', stop: 'no-pack' },
};

describe('the worker session: transitions state by state', () => {
  it('starts with no pack', () => {
    expect(INITIAL_STATE).toEqual({ phase: 'no-pack', prior: null });
  });

  for (const phase of PHASES) {
    it(`${phase}: every event leads where the table says`, () => {
      const prior = phase === 'loading' || phase === 'recovering' ? 'paused' : null;
      const got = Object.fromEntries(EVENTS.map((e) => [e, where(at(phase, prior), e)]));
      expect(got).toEqual(ROWS[phase]);
    });
  }

  it('a load remembers the phase it started from; a failed load returns there, a finished one is ready', () => {
    for (const from of ['no-pack', 'ready', 'running', 'paused'] as const) {
      const loading = transition(at(from), 'load')!;
      expect(loading).toEqual({ phase: 'loading', prior: from });
      expect(transition(loading, 'loadFailed')).toEqual({ phase: from, prior: null }); // a running race runs on
      expect(transition(loading, 'loaded')).toEqual({ phase: 'ready', prior: null });
    }
  });

  it('a restore whose checkpoints do not fit goes on as a load of fresh lanes, keeping where it started', () => {
    const restoring = transition(INITIAL_STATE, 'restore')!;
    expect(restoring).toEqual({ phase: 'recovering', prior: 'no-pack' });
    const fresh = transition(restoring, 'restoreFailed')!;
    expect(fresh).toEqual({ phase: 'loading', prior: 'no-pack' });
    expect(transition(fresh, 'loadFailed')).toEqual({ phase: 'no-pack', prior: null });
  });

  it('a lost device stops the race for good: nothing plays, steps or evaluates until a load', () => {
    const lost = transition(at('running'), 'lost')!;
    expect(lost).toEqual({ phase: 'recovering', prior: null });
    expect(transition(lost, 'play')).toBeNull();
    expect(canStep(lost.phase)).toBe(false);
    expect(workOf(lost.phase)).toBeNull();
  });

  it('the UI hears of a play, a pause, a halt, a new race and a loaded pack; not of a load starting, a loss or a stop', () => {
    expect([...ANNOUNCED].sort()).toEqual(['halt', 'loaded', 'newRace', 'pause', 'play']);
  });

  it('each phase has its protocol status, its background work and its single-step rule', () => {
    const of = (f: (p: Phase) => unknown) => Object.fromEntries(PHASES.map((p) => [p, f(p)]));
    expect(of(statusOf)).toEqual({
      'no-pack': 'loading',
      loading: 'loading',
      recovering: 'loading',
      ready: 'idle',
      running: 'running',
      paused: 'paused',
    });
    expect(of(workOf)).toEqual({
      'no-pack': null,
      loading: null,
      recovering: null,
      ready: 'settle',
      running: 'step',
      paused: 'settle',
    });
    expect(of(canStep)).toEqual({
      'no-pack': false,
      loading: false,
      recovering: false,
      ready: true,
      running: false,
      paused: true,
    });
  });
});
