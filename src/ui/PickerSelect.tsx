// A labelled menu of presets (the Race and Preset pickers): an empty entry for "none of them", one option per id, and
// a pick calls back with the id; what the chosen entry says goes below it.
import type { ReactNode } from 'react';

export function PickerSelect(props: {
  label: string;
  testId: string;
  value: string | null; // the chosen id (null: none)
  none: string; // the empty entry's text
  options: readonly { id: string; label: string }[];
  onPick: (id: string) => void;
  children?: ReactNode; // what the chosen entry says
}) {
  return (
    <div className="preset">
      <label>
        {props.label}{' '}
        <select
          data-testid={props.testId}
          value={props.value ?? ''}
          onChange={(e) => e.target.value && props.onPick(e.target.value)}
        >
          <option value="">{props.none}</option>
          {props.options.map((x) => (
            <option key={x.id} value={x.id}>
              {x.label}
            </option>
          ))}
        </select>
      </label>
      {props.children}
    </div>
  );
}
