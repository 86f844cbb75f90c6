// Presets reproducing the paper's ablations, with two lines on what the paper found.
import { useLab } from '../store';
import { PRESETS, presetById } from '../store/presets';
import { useController } from './useController';

export function PresetSelect() {
  const lab = useController();
  const id = useLab((s) => s.presetId);
  const p = presetById(id);
  return (
    <div className="preset">
      <label>
        Preset{' '}
        <select
          data-testid="preset-select"
          value={id ?? ''}
          onChange={(e) => e.target.value && lab.applyPreset(e.target.value)}
        >
          <option value="">(custom)</option>
          {PRESETS.map((x) => (
            <option key={x.id} value={x.id}>
              {x.label}
            </option>
          ))}
        </select>
      </label>
      {p ? (
        <p className="found" data-testid="preset-found">
          {p.found[0]}
          <br />
          {p.found[1]}
        </p>
      ) : null}
    </div>
  );
}
