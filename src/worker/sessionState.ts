// The worker session's phases and their transitions as one table (pure: no tfjs, no messages): which event moves
// which phase where, which transitions the UI hears of (a `status` message), and what the queue does in each phase.
import type { RunStatus } from './protocol';

/**
 * - `no-pack`: no pack loaded; the race's lanes are configs only (what a pack load builds).
 * - `loading`: a pack load builds fresh lanes (a command on the queue: nothing else runs meanwhile).
 * - `recovering`: the run moves between workers — on this one a pack load restoring lanes from their checkpoints, or
 *   (the old worker) a lost device or a crash after which it steps and evaluates no more until the UI replaces it.
 * - `ready`: a pack and its lanes, not played since the load or the new race (single steps keep it ready).
 * - `running`: the queue steps the race whenever no command waits.
 * - `paused`: stopped by the person, a non-finite step or an error; evaluations in progress finish meanwhile.
 */
export type Phase = 'no-pack' | 'loading' | 'recovering' | 'ready' | 'running' | 'paused';
export const PHASES: readonly Phase[] = ['no-pack', 'loading', 'recovering', 'ready', 'running', 'paused'];

/**
 * - `load` / `restore`: a pack's bytes arrived, its lanes fresh / from checkpoints; `restoreFailed`: the checkpoints
 *   do not fit that pack (the load goes on with fresh lanes); `loaded` / `loadFailed`: the load's end.
 * - `play`, `pause`, `newRace` (setLanes or reset: fresh students at step 0), `stop` (free everything).
 * - `halt`: a non-finite step or an error in a command; `lost`: a lost device or the crash fault.
 */
export type SessionEvent =
  | 'load'
  | 'restore'
  | 'restoreFailed'
  | 'loaded'
  | 'loadFailed'
  | 'play'
  | 'pause'
  | 'halt'
  | 'newRace'
  | 'lost'
  | 'stop';

/** Where an event leads: a phase, back to the phase before the load (`prior`), or nowhere (`ignore`: nothing changes). */
type Target = Phase | 'prior' | 'ignore';

/** An event missing from a phase's row cannot happen there (a bug): transition() throws. */
const TABLE: Record<Phase, Partial<Record<SessionEvent, Target>>> = {
  'no-pack': {
    load: 'loading',
    restore: 'recovering',
    play: 'ignore',
    pause: 'ignore',
    halt: 'ignore',
    newRace: 'ignore',
    lost: 'ignore',
    stop: 'no-pack',
  },
  loading: { loaded: 'ready', loadFailed: 'prior', halt: 'ignore', lost: 'recovering' },
  recovering: {
    restoreFailed: 'loading',
    loaded: 'ready',
    loadFailed: 'prior',
    load: 'loading',
    restore: 'recovering',
    play: 'ignore',
    pause: 'ignore',
    halt: 'ignore',
    newRace: 'ignore',
    lost: 'ignore',
    stop: 'no-pack',
  },
  ready: {
    load: 'loading',
    restore: 'recovering',
    play: 'running',
    pause: 'paused',
    halt: 'ignore',
    newRace: 'ready',
    lost: 'recovering',
    stop: 'no-pack',
  },
  running: {
    load: 'loading',
    restore: 'recovering',
    play: 'running',
    pause: 'paused',
    halt: 'paused',
    newRace: 'ready',
    lost: 'recovering',
    stop: 'no-pack',
  },
  paused: {
    load: 'loading',
    restore: 'recovering',
    play: 'running',
    pause: 'paused',
    halt: 'ignore',
    newRace: 'ready',
    lost: 'recovering',
    stop: 'no-pack',
  },
};

/** The session's phase, and the phase a failed load returns to (null outside a load). */
export interface SessionState {
  readonly phase: Phase;
  readonly prior: Phase | null;
}

export const INITIAL_STATE: SessionState = { phase: 'no-pack', prior: null };

/** The state after `event`, or null when the event changes nothing in this phase; throws when it cannot happen. */
export function transition(state: SessionState, event: SessionEvent): SessionState | null {
  const to = TABLE[state.phase][event];
  if (to === undefined) throw new Error(`worker session: '${event}' cannot happen while ${state.phase}`);
  if (to === 'ignore') return null;
  if (to === 'prior') return { phase: state.prior ?? 'no-pack', prior: null };
  if (event === 'restoreFailed' || event === 'lost') return { phase: to, prior: state.prior }; // a load in progress goes on
  if (event !== 'load' && event !== 'restore') return { phase: to, prior: null };
  return { phase: to, prior: state.phase };
}

/** Events whose transition the UI hears of as a `status` message (a load's start, a loss and a stop say nothing). */
export const ANNOUNCED: ReadonlySet<SessionEvent> = new Set<SessionEvent>([
  'loaded',
  'play',
  'pause',
  'halt',
  'newRace',
]);

/** The protocol's status of a phase. */
export function statusOf(phase: Phase): RunStatus {
  if (phase === 'ready') return 'idle';
  if (phase === 'running' || phase === 'paused') return phase;
  return 'loading';
}

/**
 * What the queue does when no command waits: `step` the race (running), `settle` (finish the evaluations in progress,
 * then post the sample view: ready, paused) or nothing.
 */
export function workOf(phase: Phase): 'step' | 'settle' | null {
  if (phase === 'running') return 'step';
  return phase === 'ready' || phase === 'paused' ? 'settle' : null;
}

/** A single `step` message steps the race in these phases (running: ignored, its steps go on). */
export function canStep(phase: Phase): boolean {
  return phase === 'ready' || phase === 'paused';
}
