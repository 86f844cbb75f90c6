// The lab's banners as a list: who raised each (its source), how bad it is, and the pure list operations the store's
// banner actions use (push replaces a banner of the same source and title; clear by source; dismiss by id).
import type { SerializedError } from '../worker/protocol';

export const BANNER_SOURCES = ['pack', 'config', 'url', 'worker', 'run', 'storage', 'lab'] as const;
export type BannerSource = (typeof BANNER_SOURCES)[number];
export type BannerSeverity = 'error' | 'warning' | 'info';

export interface Banner {
  id: number;
  source: BannerSource; // what raised it: a pack load, a config patch, the link, the worker, a run import, IndexedDB
  severity: BannerSeverity;
  title: string; // what happened and what the lab does about it, in one sentence
  error: SerializedError; // the cause (field, file, detail when known)
}

/** A banner to push: its id is given by the store. */
export type BannerInput = Omit<Banner, 'id'>;

/** The list after pushing `b` as `id`: a banner of the same source and title is replaced (the new one is the newest). */
export function pushedBanners(list: readonly Banner[], b: BannerInput, id: number): Banner[] {
  return [...list.filter((x) => !(x.source === b.source && x.title === b.title)), { ...b, id }];
}

/** The newest banner (the last pushed), or null. */
export const newestBanner = (list: readonly Banner[]): Banner | null => list[list.length - 1] ?? null;

/** The parts a banner shows after its title, naming the file and the field once each. */
export interface BannerBody {
  file: string | null; // shown as `file: ` before the field
  field: string | null; // shown as code
  text: string; // the detail (or the whole message when no field is known)
}

const stripLead = (s: string, lead: string) => (lead && s.startsWith(`${lead}: `) ? s.slice(lead.length + 2) : s);

/**
 * What to show after a banner's title: `file: field: detail` when the error names its field, else the message. A
 * field (or file) that the detail or message already starts with is not repeated, nor a file the title names.
 */
export function bannerBody(title: string, e: SerializedError): BannerBody {
  const file = e.file && !title.includes(e.file) ? e.file : null;
  if (e.field && e.detail !== undefined) {
    let text = stripLead(e.detail, e.file ?? '');
    text = stripLead(text, e.field);
    return { file, field: e.field, text };
  }
  if (e.field && e.message.startsWith(`${e.file ? `${e.file}: ` : ''}${e.field}: `)) {
    return { file, field: e.field, text: stripLead(stripLead(e.message, e.file ?? ''), e.field) };
  }
  return { file: null, field: null, text: e.file && !file ? stripLead(e.message, e.file) : e.message };
}

/** A banner as one line of text (the test API, logs): title, then its body. */
export function bannerText(b: Pick<Banner, 'title' | 'error'>): string {
  const { file, field, text } = bannerBody(b.title, b.error);
  return `${b.title}: ${file ? `${file}: ` : ''}${field ? `${field}: ` : ''}${text}`;
}
