// Presets reproducing the paper's ablations, with two lines on what the paper found.
import { useLab } from '../store';
import { PRESETS, presetById } from '../store/presets';
import { PickerSelect } from './PickerSelect';
import { useController } from './useController';

export function PresetSelect() {
  const lab = useController();
  const id = useLab((s) => s.presetId);
  const p = presetById(id);
  return (
    <PickerSelect
      label="Preset"
      testId="preset-select"
      value={id}
      none="(custom)"
      options={PRESETS}
      onPick={lab.applyPreset}
    >
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
