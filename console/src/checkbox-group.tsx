import type { ReactNode } from 'react';

/** A labelled group of checkboxes for a list-valued field. */
export function CheckboxGroup({
  legend,
  name,
  options,
  value,
  onChange,
  describe,
}: {
  legend: string;
  name: string;
  options: readonly string[];
  value: readonly string[];
  onChange: (next: string[]) => void;
  describe?: (option: string) => string;
}): ReactNode {
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {options.map((option) => {
        const id = `${name}-${option}`;
        return (
          <span key={option} className="check">
            <input
              type="checkbox"
              id={id}
              name={name}
              value={option}
              checked={value.includes(option)}
              onChange={(e) => {
                onChange(e.target.checked ? [...value, option] : value.filter((v) => v !== option));
              }}
            />
            <label htmlFor={id}>{describe ? `${option} — ${describe(option)}` : option}</label>
          </span>
        );
      })}
    </fieldset>
  );
}
