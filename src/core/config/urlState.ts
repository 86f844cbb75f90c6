// The lab's URL state as one table (after TF Playground's state.ts): every query parameter with its type, default
// and accepted values; a parser that never throws (bad or unknown fields → defaults plus named messages); a writer.
import { configDiff, configFromPatchJson, DEFAULT_CONFIG, type DeepPartial, type TrainConfig } from './config';
import { BACKEND_CHOICES, type BackendChoice } from './backends';
import { MAX_LANES } from '../race/lanes';
import { LESSON_IDS } from '../study/lessons';

/** What the enum fields accept that only the app knows: the shipped pack ids and the preset ids. */
export interface UrlCatalog {
  packs: readonly string[];
  presets: readonly string[];
  races?: readonly string[]; // race preset ids (`?race=`)
}

/** One lane of a link: its name and its config diff from the defaults (the link's seed underneath). */
export interface UrlLane {
  name: string;
  cfg: DeepPartial<TrainConfig>;
}

/** Why a parameter of the link was ignored: the parameter and a sentence saying what it accepts. */
export interface UrlMessage {
  param: string;
  message: string;
}

type Parsed<T> = { value: T } | { error: string };

/** One row of the table. Adding a URL parameter (e.g. the race's `race` and lanes) means adding a row here. */
export interface UrlField<T> {
  type: string; // for people: 'enum', 'int', 'flag', 'json' …
  doc: string; // what the field does
  default: T; // the value when the parameter is absent or refused
  accepts: (c: UrlCatalog) => string; // the accepted values, in words (shown in the messages)
  parse: (text: string, c: UrlCatalog) => Parsed<T>;
  write: (v: T) => string;
  isDefault?: (v: T) => boolean; // default: v === default
  sticky?: boolean; // written even at its default, so that a link still reproduces the run if a default changes
}

const SEED_MAX = 2 ** 32 - 1;

function oneOf<T extends string>(
  values: (c: UrlCatalog) => readonly T[],
  def: T,
  doc: string,
  sticky = false,
): UrlField<T> {
  return {
    type: 'enum',
    doc,
    default: def,
    sticky,
    accepts: (c) => `one of ${values(c).join(' | ')}`,
    parse: (text, c) =>
      (values(c) as readonly string[]).includes(text) ? { value: text as T } : { error: 'unknown value' },
    write: (v) => v,
  };
}

/** An enum whose absence means "none" (null). */
function optionalOneOf(values: (c: UrlCatalog) => readonly string[], doc: string): UrlField<string | null> {
  return {
    type: 'enum',
    doc,
    default: null,
    accepts: (c) => `one of ${values(c).join(' | ')}`,
    parse: (text, c) => (values(c).includes(text) ? { value: text } : { error: 'unknown value' }),
    write: (v) => v ?? '',
  };
}

function int<D extends number | null>(
  lo: number,
  hi: number,
  def: D,
  doc: string,
  sticky = false,
): UrlField<number | D> {
  return {
    type: 'int',
    doc,
    default: def,
    sticky,
    accepts: () => `an integer in [${lo}, ${hi}], in decimal digits`,
    parse: (text) => {
      // Decimal digits only: Number() would also take "0x10" (16), "1e3", " 7" or "0b1", which a person did not write as such.
      if (!/^-?\d+$/.test(text)) return { error: 'not accepted' };
      const x = Number(text);
      return Number.isSafeInteger(x) && x >= lo && x <= hi ? { value: x } : { error: 'not accepted' };
    },
    write: (v) => String(v),
  };
}

function flag(doc: string): UrlField<boolean> {
  return {
    type: 'flag',
    doc,
    default: false,
    accepts: () => 'present (e2e, e2e=1 or e2e=true) or 0 / false',
    parse: (text) =>
      ['', '1', 'true'].includes(text)
        ? { value: true }
        : ['0', 'false'].includes(text)
          ? { value: false }
          : { error: 'not a flag' },
    write: (v) => (v ? '1' : '0'),
  };
}

/** Keys of a JSON patch that are not own fields of the config (guards `__proto__` and friends before merging). */
function foreignKey(base: unknown, patch: unknown, path: string): string | null {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return null;
  for (const k of Object.keys(patch)) {
    const field = path ? `${path}.${k}` : k;
    if (base === null || typeof base !== 'object' || !Object.hasOwn(base, k)) return field;
    const inner = foreignKey((base as Record<string, unknown>)[k], (patch as Record<string, unknown>)[k], field);
    if (inner) return inner;
  }
  return null;
}

/**
 * Check one config patch: an object of known fields only (guards `__proto__`), valid values. Throws with the field
 * named, prefixed by `where` (a lane) when given.
 */
function checkPatch(patch: unknown, where = ''): DeepPartial<TrainConfig> {
  const at = where ? `${where}: ` : '';
  if (where && (patch === null || typeof patch !== 'object' || Array.isArray(patch)))
    throw new Error(`${where} is not a JSON object`);
  const bad = foreignKey(DEFAULT_CONFIG, patch, '');
  if (bad) throw new Error(`${at}config.${bad} is not a config field`);
  configFromPatchJson(DEFAULT_CONFIG, JSON.stringify(patch)); // throws a ConfigError naming the field
  return patch as DeepPartial<TrainConfig>;
}

const cfgField: UrlField<DeepPartial<TrainConfig>> = {
  type: 'json',
  doc: 'the knobs that differ from the defaults, as a JSON patch of the config (applied after the preset)',
  default: {},
  accepts: () => 'a JSON object of known config fields with valid values, e.g. {"weights":{"kd":1},"kd":{"T":2}}',
  parse: (text) => {
    let patch: unknown;
    try {
      patch = JSON.parse(text);
    } catch {
      return { error: 'not valid JSON' };
    }
    try {
      return { value: checkPatch(patch) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  },
  write: (v) => JSON.stringify(v),
  isDefault: (v) => Object.keys(v).length === 0,
};

const lanesField: UrlField<UrlLane[] | null> = {
  type: 'json',
  doc: 'the race: every lane as {"name", "cfg"} (cfg: its config diff from the defaults; the link\'s seed underneath)',
  default: null,
  accepts: () =>
    `a JSON array of 1 to ${MAX_LANES} lanes like [{"name":"CE","cfg":{}},{"name":"KD","cfg":{"weights":{"kd":1}}}]`,
  parse: (text) => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return { error: 'not valid JSON' };
    }
    if (!Array.isArray(v) || v.length < 1 || v.length > MAX_LANES)
      return { error: `not an array of 1 to ${MAX_LANES} lanes` };
    const out: UrlLane[] = [];
    for (const [i, l] of v.entries()) {
      if (
        l === null ||
        typeof l !== 'object' ||
        typeof l.name !== 'string' ||
        l.name.length === 0 ||
        l.name.length > 80
      ) {
        return { error: `lane ${i + 1} needs a "name" of 1 to 80 characters` };
      }
      try {
        out.push({ name: l.name, cfg: checkPatch(l.cfg ?? {}, `lane ${i + 1} cfg`) });
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    }
    return { value: out };
  },
  write: (v) => JSON.stringify(v),
};

/** Every URL parameter the lab reads, in the order the writer puts them in the address bar. */
export const URL_FIELDS = {
  pack: oneOf((c) => c.packs, 'shapes', 'the shipped pack to load', true),
  seed: int(0, SEED_MAX, DEFAULT_CONFIG.seed, 'the one seed of data order, init and sampling (config.seed)', true),
  preset: optionalOneOf(
    (c) => c.presets,
    'a preset applied over the defaults (keeps seed, optimiser and stage-1 steps)',
  ),
  cfg: cfgField,
  race: optionalOneOf((c) => c.races ?? [], 'a race preset: its lanes (ignored when lanes is given)'),
  lanes: lanesField,
  lesson: optionalOneOf(() => LESSON_IDS, 'a lesson (core/lessons.ts) opened at its first step'),
  backend: oneOf(
    (): readonly BackendChoice[] => BACKEND_CHOICES,
    'auto',
    'forces a tfjs backend; auto picks the fastest',
  ),
  batch: int(1, 512, null, 'samples per step (config.optim.batchSize); absent = the config default'),
  evalEvery: int(0, 1e7, null, 'steps between val evaluations (0 = never); absent = the worker default (50)'),
  evalSamples: int(1, 1e6, null, 'size of the fixed val subset; absent = the worker default (100)'),
  workers: int(
    1,
    MAX_LANES,
    null,
    'training workers the lanes are spread over (wasm, cpu); absent = min(lanes, cores, 4); a GPU backend uses one',
  ),
  e2e: flag('installs window.__lab for the Playwright specs'),
};

type FieldValue<F> = F extends UrlField<infer T> ? T : never;
export type UrlState = { -readonly [K in keyof typeof URL_FIELDS]: FieldValue<(typeof URL_FIELDS)[K]> };
export type UrlParam = keyof UrlState;
export const URL_PARAMS = Object.keys(URL_FIELDS) as UrlParam[];

const fieldOf = (k: UrlParam) => URL_FIELDS[k] as unknown as UrlField<unknown>;
const isDefault = (k: UrlParam, v: unknown) => {
  const f = fieldOf(k);
  return f.isDefault ? f.isDefault(v) : v === f.default;
};
const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);
const shownDefault = (k: UrlParam) => {
  const d = fieldOf(k).default;
  return d === null ? 'none' : typeof d === 'object' ? 'the defaults' : String(d);
};

/** The state of a link with no parameters. */
export function defaultUrlState(): UrlState {
  const out: Record<string, unknown> = {};
  for (const k of URL_PARAMS) {
    const d = fieldOf(k).default;
    out[k] = d !== null && typeof d === 'object' ? JSON.parse(JSON.stringify(d)) : d;
  }
  return out as UrlState;
}

/**
 * Parse a query string (`?a=1&b=2` or `a=1&b=2`) into the typed state. Never throws: an unknown parameter, a value
 * the field does not accept or a repeated parameter leaves the default (or the first value) and adds a message.
 */
export function parseUrlState(query: string, catalog: UrlCatalog): { state: UrlState; messages: UrlMessage[] } {
  const state = defaultUrlState() as Record<string, unknown>;
  const messages: UrlMessage[] = [];
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return {
      state: state as UrlState,
      messages: [{ param: '(query)', message: 'the query string could not be read; the lab starts from the defaults' }],
    };
  }
  const seen = new Set<string>();
  params.forEach((text, name) => {
    if (!Object.hasOwn(URL_FIELDS, name)) {
      messages.push({
        param: name,
        message: `?${clip(name, 30)}= is not a parameter of the lab (it reads ${URL_PARAMS.join(', ')}); ignored`,
      });
      return;
    }
    const k = name as UrlParam;
    if (seen.has(k)) {
      messages.push({ param: k, message: `?${k}= is given more than once; the first one is used` });
      return;
    }
    seen.add(k);
    const f = fieldOf(k);
    let r: Parsed<unknown>;
    try {
      r = f.parse(text, catalog);
    } catch (e) {
      r = { error: String(e) };
    }
    if ('value' in r) state[k] = r.value;
    else {
      const why =
        r.error === 'unknown value' || r.error === 'not accepted' || r.error === 'not a flag'
          ? ''
          : ` (${clip(r.error, 160)})`;
      messages.push({
        param: k,
        message: `?${k}=${clip(text)} was ignored${why}: it accepts ${f.accepts(catalog)}; using ${shownDefault(k)}`,
      });
    }
  });
  return { state: state as UrlState, messages };
}

/** The query string of a state (no leading `?`): the fields that differ from their defaults, plus the sticky ones. */
export function writeUrlState(state: UrlState): string {
  const p = new URLSearchParams();
  for (const k of URL_PARAMS) {
    const v = state[k];
    if (fieldOf(k).sticky || !isDefault(k, v)) p.set(k, fieldOf(k).write(v));
  }
  return p.toString();
}

/**
 * The address bar of a run: the link's other fields (backend, eval settings, e2e) with the pack, the seed and the
 * config diff in force. The preset and batch are dropped: the diff from the defaults already carries them.
 */
export function urlStateOfRun(base: UrlState, config: TrainConfig, packId: string | null): UrlState {
  return {
    ...base,
    pack: packId ?? base.pack,
    seed: config.seed,
    preset: null,
    batch: null,
    race: null,
    lanes: null,
    cfg: configDiff({ ...DEFAULT_CONFIG, seed: config.seed }, config),
  };
}

/**
 * The address bar of a race: one lane is a plain run (urlStateOfRun); two or more go in `lanes`, each lane's diff
 * taken from the defaults with the first lane's seed (which `seed` carries).
 */
export function urlStateOfRace(
  base: UrlState,
  lanes: { name: string; config: TrainConfig }[],
  packId: string | null,
): UrlState {
  const first = urlStateOfRun(base, lanes[0].config, packId);
  if (lanes.length === 1) return first;
  const under = { ...DEFAULT_CONFIG, seed: lanes[0].config.seed };
  return { ...first, cfg: {}, lanes: lanes.map((l) => ({ name: l.name, cfg: configDiff(under, l.config) })) };
}

/** The messages as one banner: the parameters in `field`, the sentences in `message`. */
export function urlMessagesBanner(
  messages: UrlMessage[],
): { title: string; error: { name: string; message: string; field: string } } | null {
  if (!messages.length) return null;
  return {
    title:
      messages.length === 1
        ? 'A parameter of the link was ignored'
        : `${messages.length} parameters of the link were ignored`,
    error: {
      name: 'UrlParamError',
      field: [...new Set(messages.map((m) => `?${m.param}`))].join(' '),
      message: messages.map((m) => m.message).join(' · '),
    },
  };
}
