// Pack picker: the shipped packs, a file input and a drop zone for a user's .safetensors(.gz); every pack goes
// through the worker's validator, and a rejected one leaves the current pack in place.
import { useState } from 'react';
import { useLab } from '../store';
import { SHIPPED_PACKS } from './shippedPacks';
import { useController } from './useController';

export function PackPicker() {
  const lab = useController();
  const pack = useLab((s) => s.pack);
  const loading = useLab((s) => s.packLoading);
  const [over, setOver] = useState(false);
  const current = SHIPPED_PACKS.find((p) => pack?.name === `${p.id}.safetensors.gz`)?.id ?? '';
  const pct = loading?.total
    ? ` ${Math.round((100 * loading.loaded) / loading.total)}%`
    : loading
      ? ` ${(loading.loaded / 1e6).toFixed(1)} MB`
      : '';
  return (
    <div
      className={`pack ${over ? 'over' : ''}`}
      data-testid="pack-dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files[0];
        if (f) void lab.loadPackFile(f);
      }}
    >
      <label>
        Pack{' '}
        <select
          data-testid="pack-select"
          value={current}
          onChange={(e) => {
            const p = SHIPPED_PACKS.find((x) => x.id === e.target.value);
            if (p) lab.loadPackUrl(`${p.id}.safetensors.gz`, p.url);
          }}
        >
          <option value="" disabled>
            {pack ? pack.name : '—'}
          </option>
          {SHIPPED_PACKS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>{' '}
      <label className="file">
        or your own .safetensors(.gz):{' '}
        <input
          type="file"
          accept=".safetensors,.gz"
          data-testid="pack-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void lab.loadPackFile(f);
            e.target.value = '';
          }}
        />
      </label>{' '}
      <span className="hint">(or drop it here)</span>
      <div className="packinfo" data-testid="pack-info">
        {loading ? (
          <span data-testid="pack-progress">
            loading {loading.name}…{pct}
          </span>
        ) : null}
        {pack ? (
          <span>
            {' '}
            {pack.name}: {pack.counts.trainLabeled} labeled, {pack.counts.trainUnlabeled} unlabeled, {pack.counts.val}{' '}
            val · {pack.targets.kind === 'dense' ? 'dense targets' : `top-${pack.targets.k} targets`} · V={pack.V}
            {pack.hasTeacherWeights ? ' · teacher weights' : ''}
          </span>
        ) : null}
      </div>
    </div>
  );
}
