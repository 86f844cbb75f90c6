// The main thread's training pool (issue 32: lanes across cores): spreads a race's lanes over up to `cap` workers,
// routes each UI command to the workers that own its lanes, merges their messages and keeps them in lockstep.
import { dealLanes, workerCap, type WorkerLimits } from '../core/race/workers';
import { isFatalMessage, type LaneSpec, type UiToWorker, type WorkerToUi } from './protocol';
import type { LaneRow } from './race';

/** One training worker as the pool (and the controller) use it: TrainClient, a Node worker, or a stub in tests. */
export interface WorkerPort {
  send(msg: UiToWorker): void;
  terminate(): void;
}
export type MakeWorker = (onMessage: (msg: WorkerToUi) => void, onCrash: (message: string) => void) => WorkerPort;

/**
 * A worker died. `lanes`: only that worker's lanes are gone (the others keep training; respawn() brings them back);
 * null: the whole pool is gone (its only worker, a fatal step error, or a worker that had no pack yet).
 */
export type PoolCrash = (message: string, lanes: number[] | null) => void;

export interface PoolOptions extends WorkerLimits {
  makeWorker: MakeWorker;
  slack?: number; // race steps a worker may run ahead of the slowest (default 2: hides the round trip)
}

interface Member {
  port: WorkerPort;
  lanes: number[]; // the lane ids it steps, in race order
  ticks: number; // race steps it has run (its `progress`)
  offset: number; // the pool's race tick when it joined (its tick 0)
  allowed: number; // the last `allow` sent
  loaded: boolean; // its pack is loaded (it can hand the pack on); its queue orders commands sent before that
  rows: LaneRow[] | null; // its latest `lanes` report (null: a change is under way)
  status: Status | null; // its latest status (null: none since the race changed)
  joining: boolean; // joined a race under way (an added lane, a bigger race): brought to the race's state, never heard
}

type Status = Extract<WorkerToUi, { type: 'status' }>;

type Init = Extract<UiToWorker, { type: 'init' }>;

export class TrainPool implements WorkerPort {
  private members: Member[] = [];
  private init: Init | null = null;
  private cap = 1;
  private capNote: string | null = null;
  private specs = new Map<number, LaneSpec>(); // every lane's spec (config kept current by configApplied)
  private order: number[] = []; // lane ids in race order
  private selected = 0;
  private compare: number | null = null;
  private readySent = false;
  private loading = new Set<Member>(); // members loading this round's pack: packLoaded waits for all of them
  private packName: string | null = null; // the loaded pack's name (what a joining worker's load says)
  private lastStatus = '';
  private laneSteps = new Map<number, number>(); // each lane's latest step (its metrics): a worker's older rows lag
  private running = false; // the race runs (play sent, no pause, stop or halt since): a joining worker plays too
  private readonly slack: number;

  constructor(
    private readonly onMessage: (msg: WorkerToUi) => void,
    private readonly onCrash: PoolCrash,
    private readonly opts: PoolOptions,
  ) {
    this.slack = opts.slack ?? 2;
  }

  /** Workers stepping lanes now. */
  get workers(): number {
    return this.members.length;
  }

  send(msg: UiToWorker): void {
    switch (msg.type) {
      case 'init':
        return this.start(msg);
      case 'loadPack': {
        const first = this.members[0];
        if (!first) return;
        this.loading = new Set(this.members); // the rest take the pack from the first once it is loaded
        this.members.forEach((m) => (m.rows = m.status = null));
        first.port.send(msg);
        return;
      }
      case 'setConfig':
      case 'exportWeights':
        return this.to(this.owner(msg.lane), msg);
      case 'setLanes':
      case 'reset':
        return this.replan(msg.lanes ?? this.order.map((id) => ({ id, config: this.specs.get(id)!.config })), msg.type);
      case 'addLane':
        return this.addLane(msg.lane);
      case 'removeLane':
        return this.removeLane(msg.lane);
      case 'selectLane':
        this.selected = msg.lane;
        this.compare = msg.compare ?? null;
        return this.sendSelection();
      case 'fault':
        if (msg.kind === 'worker-crash' || msg.kind === 'oom')
          return this.to(msg.lane !== undefined ? this.owner(msg.lane) : this.members[0], msg);
        return this.all(msg);
      case 'play':
      case 'pause':
      case 'stop':
        this.running = msg.type === 'play';
        return this.all(msg);
      case 'allow':
      case 'sharePack':
      case 'loadShared':
        throw new Error(`pool: '${msg.type}' is the pool's own message`);
      default:
        return this.all(msg);
    }
  }

  terminate(): void {
    this.members.forEach((m) => m.port.terminate());
    this.members = [];
  }

  /**
   * Bring back the lanes of a worker that died (their specs carry the checkpoints): a new worker takes the pack from a
   * live one and joins the lockstep at the race's tick; its packLoaded ends the UI's recovery.
   */
  respawn(lanes: LaneSpec[]): void {
    const from = this.members.find((m) => m.loaded);
    if (!from || !this.init) throw new Error('pool: no live worker to take the pack from');
    lanes.forEach((l) => this.specs.set(l.id, l));
    const m = this.spawn(lanes, false);
    this.loading = new Set([m]);
    this.share(from, m);
    this.announce();
  }

  private start(init: Init): void {
    this.terminate();
    this.init = init;
    ({ cap: this.cap, note: this.capNote } = workerCap(init.backend, this.opts));
    this.specs = new Map(init.lanes.map((l) => [l.id, l]));
    this.order = init.lanes.map((l) => l.id);
    this.selected = this.order[0];
    for (const group of dealLanes(init.lanes, Math.min(this.cap, init.lanes.length))) this.spawn(group, false);
    this.announce();
  }

  /** A new worker for `lanes`, initialised (pooled: it steps only when allowed) and waiting for its pack. */
  private spawn(lanes: LaneSpec[], joining: boolean): Member {
    const init = this.init!;
    const m: Member = {
      port: null as unknown as WorkerPort,
      lanes: lanes.map((l) => l.id),
      ticks: 0,
      offset: this.raceTick(),
      allowed: 0,
      loaded: false,
      rows: null,
      status: null,
      joining,
    };
    m.port = this.opts.makeWorker(
      (msg) => this.heard(m, msg),
      (message) => this.crashed(m, message),
    );
    this.members.push(m);
    m.port.send({ ...init, lanes, pooled: this.cap > 1 });
    this.sendAllow(m);
    return m;
  }

  /** `to` takes the pack `from` loaded, over a port of their own (the main thread never holds its bytes). */
  private share(from: Member, to: Member): void {
    const ch = new MessageChannel();
    to.loaded = false;
    to.rows = to.status = null;
    from.port.send({ type: 'sharePack', port: ch.port1 });
    to.port.send({ type: 'loadShared', port: ch.port2, name: this.packName ?? 'pack' });
  }

  /** A new race (or a reset): the lanes dealt again over min(lanes, cap) workers; extra workers end, new ones join. */
  private replan(lanes: LaneSpec[], type: 'setLanes' | 'reset'): void {
    this.specs = new Map(lanes.map((l) => [l.id, l]));
    this.order = lanes.map((l) => l.id);
    const groups = dealLanes(lanes, Math.min(this.cap, lanes.length));
    const from = this.members.find((m) => m.loaded);
    this.members.splice(groups.length).forEach((m) => m.port.terminate());
    for (const m of this.members) {
      m.offset = -m.ticks; // the race's tick starts again at 0
      m.rows = m.status = null;
    }
    groups.forEach((group, i) => {
      const m = this.members[i];
      if (m) {
        m.lanes = group.map((l) => l.id);
        this.to(m, { type, lanes: group });
      } else {
        const fresh = this.spawn(group, true);
        fresh.offset = 0;
        if (from) this.share(from, fresh);
      }
    });
    this.members.forEach((m) => this.sendAllow(m));
    this.announce();
  }

  private addLane(spec: LaneSpec): void {
    this.specs.set(spec.id, spec);
    this.order.push(spec.id);
    const from = this.members.find((m) => m.loaded);
    if (this.members.length < this.cap && from) {
      this.share(from, this.spawn([spec], true));
      this.announce();
      return;
    }
    const m = this.members.reduce((a, b) => (b.lanes.length < a.lanes.length ? b : a));
    m.lanes.push(spec.id);
    m.rows = null;
    this.to(m, { type: 'addLane', lane: spec });
  }

  private removeLane(id: number): void {
    const m = this.owner(id);
    this.specs.delete(id);
    this.order = this.order.filter((x) => x !== id);
    if (m.lanes.length === 1 && this.members.length > 1) {
      m.port.terminate();
      this.members = this.members.filter((x) => x !== m);
      this.loading.delete(m);
      this.forwardLanes();
      this.announce();
      this.members.forEach((x) => this.sendAllow(x));
      return;
    }
    m.lanes = m.lanes.filter((x) => x !== id);
    m.rows = null;
    this.to(m, { type: 'removeLane', lane: id });
  }

  /** The selected lane's worker shows it (and the compared one when it has it); a compared lane elsewhere is shown by its own. */
  private sendSelection(): void {
    for (const m of this.members) {
      const mine = (id: number | null) => id !== null && m.lanes.includes(id);
      if (mine(this.selected)) this.to(m, { type: 'selectLane', lane: this.selected, compare: this.compare });
      else if (mine(this.compare)) this.to(m, { type: 'selectLane', lane: this.compare!, compare: null });
    }
  }

  private owner(lane: number): Member {
    return this.members.find((m) => m.lanes.includes(lane)) ?? this.members[0];
  }

  private to(m: Member | undefined, msg: UiToWorker): void {
    m?.port.send(msg);
  }

  private all(msg: UiToWorker): void {
    this.members.forEach((m) => this.to(m, msg));
  }

  /** The race tick every worker has reached: the slowest worker's, on the race's count. */
  private raceTick(): number {
    return this.members.length ? Math.min(...this.members.map((m) => m.offset + m.ticks)) : 0;
  }

  private sendAllow(m: Member): void {
    if (this.cap === 1) return; // one worker: no lockstep to keep
    const a = this.raceTick() + this.slack - m.offset;
    if (a === m.allowed) return;
    m.allowed = a;
    m.port.send({ type: 'allow', tick: a });
  }

  private announce(): void {
    const count = this.members.length;
    const note = count < this.order.length ? this.capNote : null;
    this.onMessage({ type: 'workers', count, cap: this.cap, note });
  }

  /** One message of worker `m`: kept by the pool (progress), merged (lanes, status, packLoaded), filtered or forwarded. */
  private heard(m: Member, msg: WorkerToUi): void {
    if (!this.members.includes(m)) return; // an ended worker's last words
    switch (msg.type) {
      case 'progress':
        m.ticks = msg.tick;
        this.members.forEach((x) => this.sendAllow(x));
        return;
      case 'ready':
        if (this.readySent) return;
        this.readySent = true;
        break;
      case 'packLoaded':
        return this.loaded(m, msg);
      case 'packError':
        this.loading.clear();
        break;
      case 'lanes':
        m.rows = msg.lanes;
        msg.lanes.forEach((r) => this.laneSteps.set(r.id, r.step));
        return this.forwardLanes();
      case 'metrics':
        this.laneSteps.set(msg.lane, msg.fromStep + msg.count);
        break;
      case 'status':
        return this.status(m, msg);
      case 'configApplied': {
        if (this.specs.has(msg.lane)) this.specs.set(msg.lane, { id: msg.lane, config: msg.config });
        const row = m.rows?.find((r) => r.id === msg.lane);
        if (row) row.config = msg.config;
        break;
      }
      case 'sample':
        if (msg.view.lane !== this.selected && msg.view.lane !== this.compare) return;
        break;
    }
    this.onMessage(msg);
  }

  /**
   * A worker has its pack. The first of a new pack's round hands it on, and the UI hears of it
   * once every worker of the round has it (a respawned worker's round is itself: its packLoaded ends the recovery). A
   * joining worker is brought to the race's state (playing if it runs) and its load is not news.
   */
  private loaded(m: Member, msg: Extract<WorkerToUi, { type: 'packLoaded' }>): void {
    m.loaded = true;
    this.packName = msg.info.name;
    const round = this.loading.has(m);
    if (round && this.members.every((x) => x === m || !x.loaded))
      for (const other of this.members) if (other !== m && this.loading.has(other)) this.share(m, other);
    this.loading.delete(m);
    if (round && this.loading.size === 0) {
      this.onMessage(msg);
      const said = this.members.find((x) => x.status);
      if (said) this.forwardStatus(said.status!);
    }
    if (m.joining && this.running) m.port.send({ type: 'play' });
    this.forwardLanes();
    this.sendSelection();
  }

  /** The race's lanes once every worker has reported its own, in race order. */
  private forwardLanes(): void {
    if (this.members.some((m) => !m.rows)) return;
    const rows = new Map(this.members.flatMap((m) => m.rows!.map((r) => [r.id, r] as const)));
    if (!this.order.every((id) => rows.has(id))) return;
    const now = (r: LaneRow): LaneRow => ({ ...r, step: this.laneSteps.get(r.id) ?? r.step });
    this.onMessage({ type: 'lanes', lanes: this.order.map((id) => now(rows.get(id)!)) });
  }

  /**
   * A worker's status, as the race's (forwardStatus), said once. A worker halted by its own lanes (a
   * non-finite step, an error) halts the others too: the race pauses as one.
   */
  private status(m: Member, msg: Status): void {
    m.status = msg;
    if (msg.reason === 'non-finite' || msg.reason === 'error') {
      this.running = false;
      this.members.forEach((x) => x !== m && this.to(x, { type: 'pause' }));
    }
    if (m.joining || this.loading.has(m)) return; // not news: a joining worker's own state, a pack still loading
    this.forwardStatus(msg);
  }

  /**
   * The race step a status carries: the step every worker of the race has reached (the slowest one's), so that a
   * single step's status comes once every lane's metrics of that step are in, as with one worker. A worker that joined
   * a race under way (its lanes start at 0) does not hold it back.
   */
  private forwardStatus(msg: Status): void {
    // a worker's step: its furthest lane's, from its metrics (a status's own step is as old as the status: a running
    // worker says 'running' once, at the play)
    const at = (x: Member) => Math.max(x.status?.step ?? 0, ...x.lanes.map((id) => this.laneSteps.get(id) ?? 0));
    const steps = this.members.filter((x) => x.status && !x.joining).map(at);
    const step = steps.length ? Math.min(...steps) : msg.step;
    const key = `${msg.status}|${msg.reason ?? ''}|${step}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.onMessage({ ...msg, step });
  }

  /**
   * A worker died. Alone, before it had a pack, or of its step (out of memory, a trap: the controller restarts the
   * whole race, paused): the pool is gone. Else only its lanes are: the others go on, and respawn() brings them back.
   */
  private crashed(m: Member, message: string): void {
    const others = this.members.filter((x) => x !== m);
    if (!others.some((x) => x.loaded) || !m.loaded || isFatalMessage(message)) {
      this.terminate();
      this.onCrash(message, null);
      return;
    }
    m.port.terminate();
    this.members = others;
    this.loading.delete(m);
    this.members.forEach((x) => this.sendAllow(x));
    this.onCrash(message, m.lanes);
  }
}
