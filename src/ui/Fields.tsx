// The knob rows of the controls panel: a labelled field with its glossary link, a numeric input that keeps what is
// typed and marks a refused value, and a checkbox; each label is tied to its control by id.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { GlossLink } from './Glossary';

/** A knob's row: its label (tied to the control by id) with a "?" into the glossary, then the control. */
export function Field(props: {
  label: ReactNode;
  gloss?: string;
  title?: string;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field" title={props.title}>
      <span className="flabel">
        <label htmlFor={id}>{props.label}</label>
        {props.gloss ? <GlossLink term={props.gloss} /> : null}
      </span>
      {props.children(id)}
    </div>
  );
}

/** A numeric input that keeps what is typed and commits every finite value; blank or refused text is marked and
 *  put back to the value in force when the field is left. It takes no spaces: Space toggles training (keys.ts). */
export function NumberField(props: {
  label: ReactNode;
  value: number;
  onCommit: (x: number) => void;
  testId?: string;
  step?: number;
  min?: number;
  max?: number;
  title?: string;
  disabled?: boolean;
  gloss?: string;
}) {
  const [text, setText] = useState(String(props.value));
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (document.activeElement !== ref.current || Number(text) !== props.value) setText(String(props.value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.value]);
  // The text differs from the value in force (typed and refused, or blank): marked, and put back when the field is left.
  const stale = text.trim() === '' || Number(text) !== props.value;
  return (
    <Field
      label={props.label}
      gloss={props.gloss}
      title={stale ? `${props.title ? `${props.title}; ` : ''}in force: ${props.value}` : props.title}
    >
      {(id) => (
        <input
          id={id}
          ref={ref}
          type="number"
          inputMode="decimal"
          data-testid={props.testId}
          data-in-force={props.value}
          aria-invalid={stale || undefined}
          style={stale ? { outline: '2px solid #d97706' } : undefined}
          placeholder={String(props.value)}
          onBlur={() => setText(String(props.value))}
          value={text}
          step={props.step ?? 'any'}
          min={props.min}
          max={props.max}
          disabled={props.disabled}
          onChange={(e) => {
            setText(e.target.value);
            const x = Number(e.target.value);
            if (e.target.value.trim() !== '' && Number.isFinite(x)) props.onCommit(x);
          }}
        />
      )}
    </Field>
  );
}

/** A checkbox with its label and a "?" into the glossary. */
export function Check(props: {
  label: ReactNode;
  checked: boolean;
  onChange: (on: boolean) => void;
  title?: string;
  testId?: string;
  gloss?: string;
}) {
  return (
    <span className="check" title={props.title}>
      <label>
        <input
          type="checkbox"
          data-testid={props.testId}
          checked={props.checked}
          onChange={(e) => props.onChange(e.target.checked)}
        />{' '}
        {props.label}
      </label>
      {props.gloss ? <GlossLink term={props.gloss} /> : null}
    </span>
  );
}
