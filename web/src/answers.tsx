// The answer controls of the non-code question types, and the JSON each sends (POST /api/attempts/{id}/answer):
// a key, a list of keys, true/false, text, a list of blank texts, a left→right mapping, or the ordered items.

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import type { CodeDraft } from "./drafts";
import { renderWithBlanks } from "./markdown";
import type { QuestionView } from "./types";

export type AnswerValue = string | string[] | boolean | Record<string, string> | CodeDraft | null;

export function initialValue(question: QuestionView): AnswerValue {
  switch (question.type) {
    case "mcq":
      return question.select === "many" ? [] : null;
    case "mcq_multi":
      return [];
    case "true_false":
      return null;
    case "short_answer":
    case "essay":
      return "";
    case "fill_blank":
      return Array.from({ length: question.blanks ?? 0 }, () => "");
    case "matching":
      return Object.fromEntries((question.lefts ?? []).map((left) => [left, ""]));
    case "ordering":
      return [...(question.items ?? [])];
    case "code": {
      const languages = question.languages ?? [];
      const first = languages[0] ?? "python";
      return { language: first, sources: { ...(question.starter ?? {}) } } satisfies CodeDraft;
    }
  }
  return null;
}

/** A restored draft is used only if it still fits the question (the same options, items, blanks). */
export function fits(question: QuestionView, value: unknown): value is AnswerValue {
  switch (question.type) {
    case "mcq":
      return question.select === "many" ? Array.isArray(value) : value === null || typeof value === "string";
    case "mcq_multi":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "true_false":
      return value === null || typeof value === "boolean";
    case "short_answer":
    case "essay":
      return typeof value === "string";
    case "fill_blank":
      return Array.isArray(value) && value.length === (question.blanks ?? 0);
    case "matching":
      return !!value && typeof value === "object" && !Array.isArray(value) &&
        (question.lefts ?? []).every((left) => left in (value as Record<string, string>));
    case "ordering": {
      const items = [...(question.items ?? [])].sort();
      return Array.isArray(value) && JSON.stringify([...(value as string[])].sort()) === JSON.stringify(items);
    }
    case "code":
      return !!value && typeof value === "object" && "sources" in value && "language" in value &&
        (question.languages ?? []).includes((value as CodeDraft).language);
  }
  return false;
}

/** The JSON the API takes, or a reason the answer cannot be sent yet. */
export function toAnswer(question: QuestionView, value: AnswerValue): { answer: unknown } | { missing: string } {
  switch (question.type) {
    case "mcq":
      if (question.select === "many") return toAnswer({ ...question, type: "mcq_multi" }, value);
      return typeof value === "string" && value ? { answer: value } : { missing: "Choose an option." };
    case "mcq_multi":
      return Array.isArray(value) && value.length ? { answer: value } : { missing: "Choose at least one option." };
    case "true_false":
      return typeof value === "boolean" ? { answer: value } : { missing: "Choose true or false." };
    case "short_answer":
      return typeof value === "string" && value.trim() ? { answer: value.trim() } : { missing: "Type an answer." };
    case "essay":
      return typeof value === "string" && value.trim() ? { answer: value } : { missing: "Write your answer." };
    case "fill_blank":
      return Array.isArray(value) && value.every((v) => typeof v === "string" && v.trim())
        ? { answer: (value as string[]).map((v) => v.trim()) }
        : { missing: "Fill in every blank." };
    case "matching": {
      const mapping = (value ?? {}) as Record<string, string>;
      return (question.lefts ?? []).every((left) => mapping[left])
        ? { answer: mapping }
        : { missing: "Match every item." };
    }
    case "ordering":
      return { answer: value };
    case "code": {
      const draft = value as CodeDraft;
      return { answer: { language: draft.language, source: draft.sources[draft.language] ?? "" } };
    }
  }
  return { missing: "This question type is not supported." };
}

interface ControlProps<T> {
  question: QuestionView;
  value: T;
  onChange: (value: T) => void;
  disabled?: boolean;
}

function Choice({ question, value, onChange, disabled }: ControlProps<AnswerValue>): JSX.Element {
  const many = question.type === "mcq_multi" || question.select === "many";
  const chosen = many ? new Set(Array.isArray(value) ? (value as string[]) : []) : new Set([value as string]);
  const name = `choice-${question.question_id}`;
  return (
    <fieldset class="choices" disabled={disabled}>
      <legend class="sr-only">{many ? "Choose every option that applies" : "Choose one option"}</legend>
      <p class="hint-text" aria-hidden="true">{many ? "Choose every option that applies." : "Choose one option."}</p>
      {(question.options ?? []).map((option) => (
        <label class="choice" key={option.key}>
          <input
            type={many ? "checkbox" : "radio"}
            name={name}
            value={option.key}
            checked={chosen.has(option.key)}
            onChange={(event) => {
              const on = (event.currentTarget as HTMLInputElement).checked;
              if (!many) return onChange(option.key);
              const next = new Set(chosen);
              if (on) next.add(option.key);
              else next.delete(option.key);
              // Keep the options' order, whatever order they were ticked in.
              onChange((question.options ?? []).map((o) => o.key).filter((k) => next.has(k)));
            }}
          />
          <span class="choice-key" aria-hidden="true">{option.key}</span>
          <span class="choice-text">{option.text}</span>
        </label>
      ))}
    </fieldset>
  );
}

function TrueFalse({ question, value, onChange, disabled }: ControlProps<AnswerValue>): JSX.Element {
  const name = `tf-${question.question_id}`;
  return (
    <fieldset class="choices choices-inline" disabled={disabled}>
      <legend class="sr-only">True or false</legend>
      {[true, false].map((option) => (
        <label class="choice" key={String(option)}>
          <input type="radio" name={name} checked={value === option} onChange={() => onChange(option)} />
          <span class="choice-text">{option ? "True" : "False"}</span>
        </label>
      ))}
    </fieldset>
  );
}

function ShortAnswer({ value, onChange, disabled }: ControlProps<AnswerValue>): JSX.Element {
  return (
    <div class="field">
      <label for="short-answer">Your answer</label>
      <input
        id="short-answer"
        type="text"
        autoComplete="off"
        spellcheck={false}
        value={(value as string) ?? ""}
        disabled={disabled}
        onInput={(e) => onChange((e.currentTarget as HTMLInputElement).value)}
      />
    </div>
  );
}

function words(text: string): number {
  return text.trim() ? text.trim().split(/\s+/).length : 0;
}

function Essay({ question, value, onChange, disabled }: ControlProps<AnswerValue>): JSX.Element {
  const text = (value as string) ?? "";
  const count = words(text);
  const { min_words: min, max_words: max } = question;
  const outside = (min && count < min) || (max && count > max);
  const limits = [min ? `at least ${min}` : "", max ? `at most ${max}` : ""].filter(Boolean).join(", ");
  return (
    <div class="field">
      <label for="essay">Your answer{limits ? ` (${limits} words)` : ""}</label>
      <textarea
        id="essay"
        rows={12}
        value={text}
        disabled={disabled}
        aria-describedby="essay-count"
        onInput={(e) => onChange((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <p id="essay-count" class={`hint-text ${outside ? "warn" : ""}`}>
        {count} {count === 1 ? "word" : "words"}
      </p>
    </div>
  );
}

/** The question text with an input in place of each `{{n}}` marker. */
function FillBlank({ question, value, onChange, disabled }: ControlProps<AnswerValue>): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef({ value, onChange });
  latest.current = { value, onChange };
  const [inline, setInline] = useState(true);
  const values = Array.isArray(value) ? (value as string[]) : [];
  const html = renderWithBlanks(question.text);

  useEffect(() => {
    const root = host.current;
    if (!root) return;
    const slots = [...root.querySelectorAll<HTMLElement>("[data-blank]")];
    setInline(slots.length === (question.blanks ?? 0));
    for (const slot of slots) {
      const index = Number(slot.dataset["blank"]) - 1;
      let input = slot.querySelector("input");
      if (!input) {
        input = document.createElement("input");
        input.type = "text";
        input.className = "blank-input";
        input.autocomplete = "off";
        input.spellcheck = false;
        input.setAttribute("aria-label", `Blank ${index + 1}`);
        input.addEventListener("input", (event) => {
          const next = [...(latest.current.value as string[])];
          next[index] = (event.target as HTMLInputElement).value;
          latest.current.onChange(next);
        });
        slot.appendChild(input);
      }
      const wanted = values[index] ?? "";
      if (input.value !== wanted) input.value = wanted;
      input.disabled = !!disabled;
    }
  });

  return (
    <div class="fill-blank">
      <div ref={host} class="markdown" dangerouslySetInnerHTML={{ __html: html }} />
      {inline ? null : (
        <div class="blank-list">
          {values.map((text, i) => (
            <div class="field" key={i}>
              <label for={`blank-${i}`}>Blank {i + 1}</label>
              <input
                id={`blank-${i}`}
                type="text"
                value={text}
                disabled={disabled}
                onInput={(e) => {
                  const next = [...values];
                  next[i] = (e.currentTarget as HTMLInputElement).value;
                  onChange(next);
                }}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function Matching({ question, value, onChange, disabled }: ControlProps<AnswerValue>): JSX.Element {
  const mapping = (value ?? {}) as Record<string, string>;
  const rights = question.rights ?? [];
  return (
    <fieldset class="matching" disabled={disabled}>
      <legend class="sr-only">Match each item on the left with one on the right</legend>
      <p class="hint-text">Match each item with one choice. Some choices may match nothing.</p>
      <table class="match-table">
        <tbody>
          {(question.lefts ?? []).map((left, i) => (
            <tr key={left}>
              <th scope="row">
                <label for={`match-${i}`}>{left}</label>
              </th>
              <td>
                <select
                  id={`match-${i}`}
                  value={mapping[left] ?? ""}
                  onChange={(e) => onChange({ ...mapping, [left]: (e.currentTarget as HTMLSelectElement).value })}
                >
                  <option value="">— choose —</option>
                  {rights.map((right) => (
                    <option value={right} key={right}>
                      {right}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

/** Drag to reorder; or focus an item and press Alt+↑/Alt+↓, or use its buttons. */
function Ordering({ value, onChange, disabled }: ControlProps<AnswerValue>): JSX.Element {
  const items = Array.isArray(value) ? (value as string[]) : [];
  const [dragging, setDragging] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const list = useRef<HTMLOListElement>(null);

  const move = (from: number, to: number, refocus: boolean): void => {
    if (to < 0 || to >= items.length || from === to) return;
    const next = [...items];
    const [moved] = next.splice(from, 1);
    if (moved === undefined) return;
    next.splice(to, 0, moved);
    onChange(next);
    setAnnouncement(`${moved}: moved to position ${to + 1} of ${items.length}.`);
    if (refocus) {
      requestAnimationFrame(() => list.current?.querySelectorAll<HTMLElement>("li")[to]?.focus());
    }
  };

  return (
    <div class="ordering">
      <p class="hint-text" id="ordering-help">
        Put the items in order, first at the top: drag them, or focus one and press Alt+↑ or Alt+↓.
      </p>
      <ol ref={list} class="order-list" aria-describedby="ordering-help">
        {items.map((item, i) => (
          <li
            key={item}
            tabIndex={0}
            draggable={!disabled}
            class={`order-item ${dragging === i ? "dragging" : ""}`}
            aria-label={`${item}, position ${i + 1} of ${items.length}`}
            onKeyDown={(event) => {
              if (disabled || !event.altKey) return;
              if (event.key === "ArrowUp") {
                event.preventDefault();
                move(i, i - 1, true);
              } else if (event.key === "ArrowDown") {
                event.preventDefault();
                move(i, i + 1, true);
              }
            }}
            onDragStart={(event) => {
              setDragging(i);
              event.dataTransfer?.setData("text/plain", String(i));
              if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
            }}
            onDragEnd={() => setDragging(null)}
            onDragOver={(event) => event.preventDefault()}
            onDrop={(event) => {
              event.preventDefault();
              const from = Number(event.dataTransfer?.getData("text/plain") ?? dragging);
              setDragging(null);
              if (Number.isInteger(from)) move(from, i, false);
            }}
          >
            <span class="drag-handle" aria-hidden="true">⠿</span>
            <span class="order-pos" aria-hidden="true">{i + 1}.</span>
            <span class="order-text">{item}</span>
            <span class="order-buttons">
              <button type="button" class="btn btn-icon" disabled={disabled || i === 0} aria-label={`Move “${item}” up`}
                onClick={() => move(i, i - 1, false)}>↑</button>
              <button type="button" class="btn btn-icon" disabled={disabled || i === items.length - 1}
                aria-label={`Move “${item}” down`} onClick={() => move(i, i + 1, false)}>↓</button>
            </span>
          </li>
        ))}
      </ol>
      <p class="sr-only" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}

/** The control for a non-code question (code questions have the editor). */
export function AnswerControl(props: ControlProps<AnswerValue>): JSX.Element | null {
  switch (props.question.type) {
    case "mcq":
    case "mcq_multi":
      return <Choice {...props} />;
    case "true_false":
      return <TrueFalse {...props} />;
    case "short_answer":
      return <ShortAnswer {...props} />;
    case "essay":
      return <Essay {...props} />;
    case "fill_blank":
      return <FillBlank {...props} />;
    case "matching":
      return <Matching {...props} />;
    case "ordering":
      return <Ordering {...props} />;
    default:
      return null;
  }
}
