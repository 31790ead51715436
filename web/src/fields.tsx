// Form fields shared by the authoring and admin pages, and the server's validation errors shown next to the
// field they name: each field declares the path it edits (`tests[0].visibility`), and an `ErrorsProvider`
// above it hands it the messages the server gave for that path.

import { type ComponentChildren, type JSX, createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";

import { ApiError } from "./api";

/** Server messages by field path (`options[1].key`, `limits.time_s`); "" holds those that name no field. */
export type FieldErrors = Map<string, string[]>;

const ErrorsContext = createContext<FieldErrors>(new Map());

export function ErrorsProvider({ errors, children }: { errors: FieldErrors; children: ComponentChildren }): JSX.Element {
  return <ErrorsContext.Provider value={errors}>{children}</ErrorsContext.Provider>;
}

export function useFieldErrors(path: string | undefined): string[] {
  const errors = useContext(ErrorsContext);
  return path === undefined ? [] : errors.get(path) ?? [];
}

function add(errors: FieldErrors, path: string, message: string): void {
  errors.set(path, [...(errors.get(path) ?? []), message]);
}

/**
 * The bank import's errors, one per line: `request body: question 'id': tests[0].visibility: Input should be …`.
 * A whole-question error (`(question): answer 'C' is not one of the option keys`) usually opens with the
 * field it is about; it goes to that field when `known` lists it.
 */
export function bankErrors(error: unknown, known: readonly string[]): FieldErrors {
  return error instanceof ApiError ? bankProblems(error.message.split("\n"), known) : new Map();
}

/** The same for the problem lines `POST /api/questions/validate` answers. */
export function bankProblems(lines: string[], known: readonly string[]): FieldErrors {
  const errors: FieldErrors = new Map();
  for (const line of lines) {
    const found = /question '[^']*': (\S+?): (.*)$/.exec(line);
    if (!found) {
      if (line.trim()) add(errors, "", line.replace(/^request body: /, ""));
      continue;
    }
    let [, path = "", message = ""] = found;
    if (path === "(question)") {
      const lead = /^(\w+)(\[\d+\])?\b:?/.exec(message)?.[1] ?? "";
      path = known.includes(lead) ? lead : "";
      if (path && message.startsWith(`${path}:`)) message = message.slice(path.length + 1).trim();
    }
    add(errors, path, message);
  }
  return errors;
}

/** A request validation error (422 with `details`): `["body", "adaptive", "se_threshold"]` → `adaptive.se_threshold`. */
export function requestErrors(error: unknown): FieldErrors {
  const errors: FieldErrors = new Map();
  if (!(error instanceof ApiError) || !error.details.length) return errors;
  for (const detail of error.details) {
    const parts = detail.loc[0] === "body" ? detail.loc.slice(1) : detail.loc;
    let path = parts.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
    let message = detail.message;
    // A whole-definition check names its field first: `closes_at: must be after opens_at`.
    const lead = /^([\w.]+): (.*)$/.exec(message);
    if (!path && lead) {
      path = lead[1] ?? "";
      message = lead[2] ?? message;
    }
    add(errors, path, message);
  }
  return errors;
}

export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** The messages under a field; `id` is what the control names in `aria-describedby`. */
export function FieldMessages({ id, messages }: { id: string; messages: string[] }): JSX.Element | null {
  if (!messages.length) return null;
  return (
    <p id={id} class="field-error">
      {messages.join("; ")}
    </p>
  );
}

interface BaseProps {
  id: string;
  label: string;
  /** The field path the server names in its errors. */
  path?: string;
  help?: string;
}

function describedBy(id: string, help: string | undefined, errors: string[]): string | undefined {
  const ids = [help ? `${id}-help` : "", errors.length ? `${id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function TextField(props: BaseProps & {
  value: string;
  onChange: (v: string) => void;
  type?: string;
  required?: boolean;
  placeholder?: string;
  step?: string;
  min?: string;
}): JSX.Element {
  const errors = useFieldErrors(props.path);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type={props.type ?? "text"} value={props.value} required={props.required} placeholder={props.placeholder}
        step={props.step} min={props.min} aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy(props.id, props.help, errors)}
        onInput={(e) => props.onChange((e.currentTarget as HTMLInputElement).value)} />
      {props.help ? <p id={`${props.id}-help`} class="hint-text">{props.help}</p> : null}
      <FieldMessages id={`${props.id}-error`} messages={errors} />
    </div>
  );
}

export function TextArea(props: BaseProps & { value: string; onChange: (v: string) => void; rows?: number; mono?: boolean; required?: boolean }): JSX.Element {
  const errors = useFieldErrors(props.path);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <textarea id={props.id} rows={props.rows ?? 4} class={props.mono ? "mono" : undefined} value={props.value} required={props.required}
        aria-invalid={errors.length ? true : undefined} aria-describedby={describedBy(props.id, props.help, errors)}
        onInput={(e) => props.onChange((e.currentTarget as HTMLTextAreaElement).value)} />
      {props.help ? <p id={`${props.id}-help`} class="hint-text">{props.help}</p> : null}
      <FieldMessages id={`${props.id}-error`} messages={errors} />
    </div>
  );
}

export function SelectField(props: BaseProps & { value: string; options: [string, string][]; onChange: (v: string) => void }): JSX.Element {
  const errors = useFieldErrors(props.path);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy(props.id, props.help, errors)}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {props.options.map(([value, label]) => (
          <option value={value} key={value}>{label}</option>
        ))}
      </select>
      {props.help ? <p id={`${props.id}-help`} class="hint-text">{props.help}</p> : null}
      <FieldMessages id={`${props.id}-error`} messages={errors} />
    </div>
  );
}

export function Check({ id, label, checked, onChange, path }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void; path?: string }): JSX.Element {
  const errors = useFieldErrors(path);
  return (
    <div class="check-field">
      <label class="check" for={id}>
        <input id={id} type="checkbox" checked={checked} aria-describedby={errors.length ? `${id}-error` : undefined}
          onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
        {label}
      </label>
      <FieldMessages id={`${id}-error`} messages={errors} />
    </div>
  );
}

/** A number input whose empty text means null. */
export function NumberField(props: BaseProps & { value: number | null; onChange: (v: number | null) => void; step?: string; min?: string; placeholder?: string }): JSX.Element {
  return (
    <TextField {...props} type="number" value={props.value === null || props.value === undefined ? "" : String(props.value)}
      onChange={(v) => props.onChange(v.trim() === "" ? null : Number(v))} />
  );
}

/** Comma-separated words as a list. */
export function ListField(props: BaseProps & { value: string[]; onChange: (v: string[]) => void; placeholder?: string }): JSX.Element {
  // The text is kept as typed (a trailing comma stays) and parsed into the list on every change.
  const [text, setText] = useState(props.value.join(", "));
  const joined = props.value.join(", ");
  useEffect(() => {
    if (csv(text).join(", ") !== joined) setText(joined);
  }, [joined]);
  return (
    <TextField {...props} value={text} onChange={(v) => { setText(v); props.onChange(csv(v)); }} />
  );
}

/** A JSON value typed as text: the parent hears of it only when it parses. */
export function JsonField(props: BaseProps & { value: unknown; onChange: (v: unknown) => void }): JSX.Element {
  const [text, setText] = useState(() => JSON.stringify(props.value ?? null));
  const [invalid, setInvalid] = useState<string | null>(null);
  const serverErrors = useFieldErrors(props.path);
  const shown = JSON.stringify(props.value ?? null);
  useEffect(() => {
    try {
      if (JSON.stringify(JSON.parse(text)) === shown) return;
    } catch {
      // being typed: keep the text
      return;
    }
    setText(shown);
  }, [shown]);
  const errors = invalid ? [`not valid JSON yet: ${invalid}`, ...serverErrors] : serverErrors;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type="text" class="mono" value={text} aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy(props.id, props.help, errors)}
        onInput={(e) => {
          const next = (e.currentTarget as HTMLInputElement).value;
          setText(next);
          try {
            const value = JSON.parse(next) as unknown;
            setInvalid(null);
            props.onChange(value);
          } catch (failure) {
            setInvalid(failure instanceof Error ? failure.message : String(failure));
          }
        }} />
      {props.help ? <p id={`${props.id}-help`} class="hint-text">{props.help}</p> : null}
      <FieldMessages id={`${props.id}-error`} messages={errors} />
    </div>
  );
}

export function csv(value: string): string[] {
  return value.split(",").map((v) => v.trim()).filter(Boolean);
}

/**
 * A list of rows with add, remove and move buttons. `render` draws one row's fields; the buttons are named
 * after `noun` and the row's number, so a screen reader says which row each acts on.
 */
export function RowList<T>(props: {
  legend: string;
  noun: string;
  items: T[];
  onChange: (items: T[]) => void;
  make: () => T;
  render: (item: T, index: number, update: (next: T) => void) => ComponentChildren;
  path?: string;
  min?: number;
  ordered?: boolean;
  help?: string;
  /** False when rows come from elsewhere (a search) rather than an "Add" button. */
  addable?: boolean;
}): JSX.Element {
  const errors = useFieldErrors(props.path);
  const errorId = props.path ? `${fieldId(props.path)}-error` : "";
  const move = (from: number, to: number): void => {
    const next = [...props.items];
    const [item] = next.splice(from, 1);
    if (item !== undefined) next.splice(to, 0, item);
    props.onChange(next);
  };
  return (
    <fieldset class="row-list" aria-describedby={errors.length ? errorId : undefined}>
      <legend>{props.legend}</legend>
      {props.help ? <p class="hint-text">{props.help}</p> : null}
      <FieldMessages id={errorId} messages={errors} />
      <ol class="rows">
        {props.items.map((item, index) => (
          <li class="row-item" key={index}>
            <div class="row-fields">
              {props.render(item, index, (next) => props.onChange(props.items.map((old, i) => (i === index ? next : old))))}
            </div>
            <div class="row-buttons">
              {props.ordered ? (
                <>
                  <button type="button" class="btn btn-icon" aria-label={`Move ${props.noun} ${index + 1} up`} disabled={index === 0}
                    onClick={() => move(index, index - 1)}>↑</button>
                  <button type="button" class="btn btn-icon" aria-label={`Move ${props.noun} ${index + 1} down`}
                    disabled={index === props.items.length - 1} onClick={() => move(index, index + 1)}>↓</button>
                </>
              ) : null}
              <button type="button" class="btn btn-icon" aria-label={`Remove ${props.noun} ${index + 1}`}
                disabled={props.items.length <= (props.min ?? 0)}
                onClick={() => props.onChange(props.items.filter((_, i) => i !== index))}>✕</button>
            </div>
          </li>
        ))}
      </ol>
      {props.addable === false ? null : (
        <button type="button" class="btn btn-small" onClick={() => props.onChange([...props.items, props.make()])}>
          Add {props.noun}
        </button>
      )}
    </fieldset>
  );
}
