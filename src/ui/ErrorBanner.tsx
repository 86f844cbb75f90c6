// The error banner: names what failed and the field (pack, config or worker); the lab keeps working underneath.
import { useLab } from '../store';
import { selectBanner } from '../store/selectors';

export function ErrorBanner() {
  const b = useLab(selectBanner);
  const dismiss = useLab((s) => s.dismissBanner);
  if (!b) return null;
  return (
    <div className="banner" role="alert" data-testid="error-banner">
      <b>{b.title}.</b>{' '}
      {b.error.field && b.error.detail !== undefined ? (
        <>
          {b.error.file ? `${b.error.file}: ` : null}
          <code>{b.error.field}</code>: {b.error.detail}
        </>
      ) : (
        b.error.message
      )}
      <button onClick={dismiss} aria-label="Dismiss">×</button>
    </div>
  );
}
