// The backend badge: which tfjs backend trains, on which WebGPU adapter, and whether that adapter is software.
import { useLab } from '../store';
import { selectBackend } from '../store/selectors';

export function BackendBadge() {
  const b = useLab(selectBackend);
  const sps = useLab((s) => s.stepsPerSec);
  const workers = useLab((s) => s.workers);
  if (!b)
    return (
      <span className="badge" data-testid="backend-badge">
        backend: starting…
      </span>
    );
  const software = b.isFallbackAdapter === true;
  const title =
    [b.changed, b.adapter ? `adapter: ${b.adapter}` : null, b.auto, b.note].filter(Boolean).join('\n') || undefined;
  return (
    <span className={`badge ${software ? 'warn' : ''}`} data-testid="backend-badge" title={title}>
      backend: <b>{b.name}</b>
      {b.adapter ? ` · ${b.adapter}` : ''}
      {software ? ' · software adapter (slow)' : ''}
      {b.changed ? <span data-testid="backend-changed"> · {b.changed}</span> : null}
      {workers ? (
        <span data-testid="workers" data-count={workers.count} title={workers.note ?? undefined}>
          {' '}
          · {workers.count} worker{workers.count === 1 ? '' : 's'}
          {workers.note ? ` (${workers.note})` : ''}
        </span>
      ) : null}
      <span className="sps" data-testid="steps-per-sec">
        {' '}
        · {sps > 0 ? `${sps.toFixed(1)} steps/s` : '– steps/s'}
      </span>
    </span>
  );
}
