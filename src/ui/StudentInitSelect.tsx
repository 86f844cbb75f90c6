// The student-init knob (issue 27, DESIGN §4c): where a fresh student starts. Apart from ControlsPanel (which needs
// the controller) so that it renders in a Node test.
import { type ReactNode, useId } from 'react';
import type { StudentInit } from '../core/config/config';

/** Where a fresh student starts (DESIGN §4c); 'pretrained' needs a pack that ships student_init.*. */
export function StudentInitSelect(props: {
  value: StudentInit;
  hasInit: boolean;
  onChange: (v: StudentInit) => void;
  gloss?: ReactNode;
}) {
  const id = useId();
  const why = props.hasInit
    ? "pretrained LM: the pack's student_init.* (its language model pretrained on text first)"
    : 'pretrained LM: this pack ships no pretrained student (no student_init.*)';
  return (
    <div
      className="field"
      title={`Where a fresh student starts; acts when a student is made (Reset, + lane, a race), not on the running students. scratch: seeded random weights. ${why}`}
    >
      <span className="flabel">
        <label htmlFor={id}>student init</label>
        {props.gloss}
      </span>
      <select
        id={id}
        data-testid="student-init"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as StudentInit)}
      >
        <option value="scratch">scratch</option>
        <option
          value="pretrained"
          disabled={!props.hasInit}
          title={props.hasInit ? undefined : 'this pack ships no pretrained student (no student_init.*)'}
        >
          pretrained LM
        </option>
      </select>
    </div>
  );
}
