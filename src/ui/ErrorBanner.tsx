// The banners: every one the store holds, newest first (four, then "+N more"), each naming what failed and the field
// once, with its own dismiss button; errors are alerts, warnings and notes are status messages. The lab works on.
import { useState } from 'react';
import { useLab } from '../store';
import { type Banner, bannerBody } from '../store/banners';
import { selectBanners } from '../store/selectors';
import { skippedLines, useStoredRecords } from '../store/storedRecords';
import { runs } from './runsController';

/** Banners shown before the rest fold into "+N more". */
export const BANNERS_SHOWN = 4;

function BannerItem({ b, onDismiss }: { b: Banner; onDismiss: (id: number) => void }) {
  const { file, field, text } = bannerBody(b.title, b.error);
  return (
    <div
      className={`banner ${b.severity}`}
      role={b.severity === 'error' ? 'alert' : 'status'}
      data-testid="banner"
      data-source={b.source}
      data-severity={b.severity}
    >
      <span>
        <b>{b.title}.</b> {file ? `${file}: ` : null}
        {field ? (
          <>
            <code>{field}</code>:{' '}
          </>
        ) : null}
        {text}
      </span>
      <button
        type="button"
        onClick={() => onDismiss(b.id)}
        aria-label="Dismiss"
        title="Dismiss"
        data-testid="banner-dismiss"
      >
        ×
      </button>
    </div>
  );
}

/** The list itself (no store): `banners` oldest first, as the store keeps them. */
export function BannerList({ banners, onDismiss }: { banners: readonly Banner[]; onDismiss: (id: number) => void }) {
  const [all, setAll] = useState(false);
  if (!banners.length) return null;
  const newestFirst = [...banners].reverse();
  const shown = all ? newestFirst : newestFirst.slice(0, BANNERS_SHOWN);
  const more = newestFirst.length - shown.length;
  return (
    <div className="banners" data-testid="error-banner">
      {shown.map((b) => (
        <BannerItem key={b.id} b={b} onDismiss={onDismiss} />
      ))}
      {more > 0 ? (
        <button type="button" className="banners-more" onClick={() => setAll(true)} data-testid="banners-more">
          +{more} more
        </button>
      ) : all && newestFirst.length > BANNERS_SHOWN ? (
        <button type="button" className="banners-more" onClick={() => setAll(false)} data-testid="banners-more">
          show fewer
        </button>
      ) : null}
    </div>
  );
}

export function ErrorBanner() {
  const banners = useLab(selectBanners);
  const dismiss = useLab((s) => s.dismissBanner);
  return <BannerList banners={banners} onDismiss={dismiss} />;
}

/** The stored records the lab did not use (invalid, or from a newer build) and settings that fell back to defaults. */
export function StoredSkippedList({
  lines,
  count,
  removing,
  error,
  onRemove,
  onKeep,
}: {
  lines: string[];
  count: number;
  removing: boolean;
  error: string | null;
  onRemove: () => void;
  onKeep: () => void;
}) {
  if (!lines.length) return null;
  const title =
    count > 0
      ? `${count} stored record${count === 1 ? ' was' : 's were'} skipped: written by another build of the lab or damaged, ${count === 1 ? 'it is' : 'they are'} not shown`
      : 'Some stored settings were not valid and are back to their defaults';
  return (
    <div className="banner warning stored-skipped" role="status" data-testid="stored-skipped">
      <span>
        <b>{title}.</b>
        <ul>
          {lines.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
        {error ? <span className="stored-error">{error}</span> : null}
      </span>
      <span className="stored-actions">
        <button
          type="button"
          className="textbtn"
          onClick={onRemove}
          disabled={removing}
          data-testid="stored-skipped-remove"
          title="delete these records from this browser's storage"
        >
          remove
        </button>
        <button
          type="button"
          className="textbtn"
          onClick={onKeep}
          data-testid="stored-skipped-keep"
          title="hide this for now; the records stay and are listed again at the next load"
        >
          keep for now
        </button>
      </span>
    </div>
  );
}

export function StoredSkipped() {
  const skipped = useStoredRecords((s) => s.skipped);
  const fixed = useStoredRecords((s) => s.settingsFixed);
  const removing = useStoredRecords((s) => s.removing);
  const error = useStoredRecords((s) => s.removeError);
  return (
    <StoredSkippedList
      lines={skippedLines(skipped, fixed)}
      count={skipped.length}
      removing={removing}
      error={error}
      onRemove={() => void runs.removeSkipped()}
      onKeep={runs.keepSkipped}
    />
  );
}
