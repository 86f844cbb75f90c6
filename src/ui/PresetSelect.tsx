// Presets reproducing the paper's ablations, with two lines on what the paper found.
import { useLab } from '../store';
import { PRESETS, presetById } from '../store/presets';
import { PickerSelect } from './PickerSelect';
import { useController } from './useController';

const PRESET_PICKER = { label: 'Preset', testId: 'preset-select', none: '(custom)', options: PRESETS };

export function PresetSelect() {
  const lab = useController();
  const id = useLab((s) => s.presetId);
  const p = presetById(id);
  return (
    <PickerSelect {...PRESET_PICKER} value={id} onPick={lab.applyPreset}>
      {p ? (
        <p className="found" data-testid="preset-found">
          {p.found[0]}
          <br />
          {p.found[1]}
        </p>
      ) : null}
    </PickerSelect>
  );
}
