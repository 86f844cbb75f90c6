// The banners: every one the store holds, newest first (four, then "+N more"), each naming what failed and the field
// once, with its own dismiss button; errors are alerts, warnings and notes are status messages. The lab works on.
import { useState } from 'react';
import { useLab } from '../store';
import { type Banner, bannerBody } from '../store/banners';
import { selectBanners } from '../store/selectors';

/** Banners shown before the rest fold into "+N more". */
export const BANNERS_SHOWN = 4;

function BannerItem({ b, onDismiss }: { b: Banner; onDismiss: (id: number) => void }) {
  const { file, field, text } = bannerBody(b.title, b.error);
  return (
    <div className={`banner ${b.severity}`} role={b.severity === 'error' ? 'alert' : 'status'} data-testid="banner" data-source={b.source} data-severity={b.severity}>
      <span>
        <b>{b.title}.</b>{' '}
        {file ? `${file}: ` : null}
        {field ? (
          <>
            <code>{field}</code>:{' '}
          </>
        ) : null}
        {text}
      </span>
      <button type="button" onClick={() => onDismiss(b.id)} aria-label="Dismiss" title="Dismiss" data-testid="banner-dismiss">
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
