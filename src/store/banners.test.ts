// The banner list: push replaces a banner of the same source and title, dismiss and clear remove only theirs, the
// worker's messages raise banners of their source, a loaded pack clears the pack errors, and a field is named once.
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config/config';
import { FieldError, PackError } from '../core/base/errors';
import { type PackInfo, type SerializedError, serializeError } from '../worker/protocol';
import { bannerBody, bannerText, pushedBanners } from './banners';
import { useLab } from './index';
import { RunImportError } from './runs';
import { resetLabStore } from './testing/reset';

const st = () => useLab.getState();
const err = (message: string): SerializedError => ({ name: 'Error', message });
const info = { name: 'shapes.safetensors.gz', families: ['a'], A: 4 } as unknown as PackInfo;
const packError = (name: string) => ({
  type: 'packError' as const,
  name,
  error: serializeError(new PackError(name, 'metadata.version', '"1" or "2"')),
});
const count = (hay: string, needle: string) => hay.split(needle).length - 1;

describe('store banners', () => {
  beforeEach(resetLabStore);

  it('pushBanner returns a new id each time; one of the same source and title replaces the older, others stack', () => {
    const a = st().pushBanner({ source: 'pack', severity: 'error', title: 'A', error: err('1') });
    const b = st().pushBanner({ source: 'config', severity: 'error', title: 'A', error: err('2') });
    const c = st().pushBanner({ source: 'pack', severity: 'error', title: 'A', error: err('3') });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(st().banners.map((x) => [x.id, x.source, x.error.message])).toEqual([
      [b, 'config', '2'],
      [c, 'pack', '3'],
    ]);
    expect(st().banner?.id).toBe(c); // the newest
  });

  it('dismissBanner(id) removes that one only; without an id, the newest; clearBanners(source) only that source', () => {
    const ids = (['pack', 'url', 'pack', 'storage'] as const).map((source, i) =>
      st().pushBanner({ source, severity: 'warning', title: `t${i}`, error: err(`m${i}`) }),
    );
    st().dismissBanner(ids[1]);
    expect(st().banners.map((b) => b.id)).toEqual([ids[0], ids[2], ids[3]]);
    st().dismissBanner(12345); // unknown id: nothing
    expect(st().banners).toHaveLength(3);
    st().clearBanners('pack');
    expect(st().banners.map((b) => b.id)).toEqual([ids[3]]);
    st().dismissBanner();
    expect(st().banners).toEqual([]);
    expect(st().banner).toBeNull();
  });

  it('setBanner still works: an error banner of source lab', () => {
    st().setBanner('Something failed', err('why'));
    expect(st().banner).toMatchObject({
      source: 'lab',
      severity: 'error',
      title: 'Something failed',
      error: { message: 'why' },
    });
  });

  it('a rejected pack raises a pack banner; a pack that loads clears the pack banners and keeps the others', () => {
    st().pushBanner({
      source: 'url',
      severity: 'warning',
      title: 'A parameter of the link was ignored',
      error: err('?preset=x'),
    });
    st().applyMessage(packError('bad1.safetensors'));
    st().applyMessage(packError('bad2.safetensors'));
    st().applyMessage(packError('bad2.safetensors')); // the same file again: replaced, not stacked
    expect(st().banners.map((b) => b.source)).toEqual(['url', 'pack', 'pack']);
    expect(st().banner?.title).toBe('Could not load bad2.safetensors; the lab keeps no pack');
    st().applyMessage({ type: 'packLoaded', info });
    expect(st().banners.map((b) => b.source)).toEqual(['url']);
    st().applyMessage(packError('bad3.safetensors'));
    expect(st().banner?.title).toBe('Could not load bad3.safetensors; the lab keeps shapes.safetensors.gz');
  });

  it('a config error raises a config banner, a worker error a worker banner', () => {
    st().applyMessage({
      type: 'configError',
      lane: 0,
      error: serializeError(new ConfigError('kd.T', 'a number > 0', -1)),
    });
    st().applyMessage({ type: 'configError', lane: null, error: err('too many lanes') });
    st().applyMessage({ type: 'error', error: err('boom') });
    expect(st().banners.map((b) => [b.source, b.severity, b.title])).toEqual([
      ['config', 'error', 'That setting was refused; the previous one stays'],
      ['config', 'error', 'That race was refused; the lanes stay as they were'],
      ['worker', 'error', 'The training worker reported an error'],
    ]);
    expect(st().banners[0].error.field).toBe('config.kd.T');
  });

  it('pushedBanners is pure: the list given is left alone', () => {
    const list = pushedBanners([], { source: 'lab', severity: 'info', title: 't', error: err('m') }, 1);
    const again = pushedBanners(list, { source: 'lab', severity: 'info', title: 't', error: err('n') }, 2);
    expect(list).toEqual([{ id: 1, source: 'lab', severity: 'info', title: 't', error: err('m') }]);
    expect(again.map((b) => b.id)).toEqual([2]);
  });
});

describe('a banner names its field once', () => {
  const cases: [string, string, SerializedError, string][] = [
    [
      'a config error',
      'That setting was refused; the previous one stays',
      serializeError(new ConfigError('kd.T', 'a number > 0', -1)),
      'config.kd.T',
    ],
    [
      'a pack error',
      'Could not load x.safetensors; the lab keeps shapes',
      serializeError(new PackError('x.safetensors', 'metadata.version', '"1" or "2" (got "9")', 'rebuild it')),
      'metadata.version',
    ],
    [
      'a run import error',
      'That run file was refused; the runs are unchanged',
      serializeError(new RunImportError('r.json', 'metrics.step[3]', 'a finite number', null)),
      'metrics.step[3]',
    ],
    [
      'a detail that repeats its field',
      'That setting was refused',
      { name: 'E', message: 'kd.T: kd.T: expected > 0', field: 'kd.T', detail: 'kd.T: expected > 0' },
      'kd.T',
    ],
    [
      'a message that starts with file and field, no detail',
      'Refused',
      { name: 'E', message: 'a.json: format: expected "x"', field: 'format', file: 'a.json' },
      'format',
    ],
    [
      'a field error without a file',
      'Refused',
      serializeError(new FieldError({ field: 'vocab[3]', expected: 'a string', got: 4 })),
      'vocab[3]',
    ],
  ];
  it.each(cases)('%s', (_n, title, e, field) => {
    const text = bannerText({ title, error: e });
    expect(count(text, field)).toBe(1);
    expect(bannerBody(title, e).field).toBe(field);
  });

  it('a file the title names is not repeated; one it does not name is shown before the field', () => {
    const e = serializeError(new PackError('x.safetensors', 'header', 'a JSON object'));
    expect(bannerText({ title: 'Could not load x.safetensors; the lab keeps shapes', error: e })).toBe(
      'Could not load x.safetensors; the lab keeps shapes: header: a JSON object',
    );
    expect(bannerText({ title: 'That pack was refused', error: e })).toBe(
      'That pack was refused: x.safetensors: header: a JSON object',
    );
  });

  it('the hint stays, and an error without a field shows its message', () => {
    const e = serializeError(new PackError('x.safetensors', 'metadata.version', '"1" or "2"', 'rebuild the pack'));
    expect(bannerBody('t', e).text).toBe('"1" or "2". HINT: rebuild the pack');
    expect(bannerBody('t', err('plain words'))).toEqual({ file: null, field: null, text: 'plain words' });
  });
});
