// The question editor's form: the fields every question has, and one section per type (options with the
// correct ones marked, accepted answers, blanks, pairs, items in order, rubric criteria). It edits the
// question in the bank format directly, so the form and the JSON tab are two views of one object.

import type { JSX } from "preact";

import { Check, FieldMessages, ListField, NumberField, RowList, SelectField, TextArea, TextField, fieldId, useFieldErrors } from "../fields";
import { type QuestionType, TYPES, TYPE_LABELS } from "../types";
import { CodeFields } from "./code-form";

export type BankQuestion = Record<string, unknown>;


/** The fields the form knows, so a whole-question error that opens with one of them lands next to it. */
export const KNOWN_FIELDS = [
  "id", "type", "title", "text", "topics", "skills", "tags", "difficulty", "points", "explanation", "hints", "practice",
  "options", "answer", "blanks", "pairs", "distractors", "items", "min_words", "max_words", "model_answer", "grading",
  "languages", "starter", "entry_point", "tests", "checker", "limits", "solutions",
] as const;

export function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

function num(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

type Grading = { method?: string; case_sensitive?: boolean; abs_tol?: number; rubric?: Criterion[]; [k: string]: unknown };
type Criterion = { name: string; weight?: number; description?: string; key_phrases?: string[]; required_fraction?: number };

/** What a new question of `type` starts with: the type's own fields filled in so that it validates. */
export function typeDefaults(type: QuestionType): BankQuestion {
  switch (type) {
    case "mcq":
      return { options: [{ key: "A", text: "The first option" }, { key: "B", text: "The second option" }], answer: "A" };
    case "mcq_multi":
      return { options: [{ key: "A", text: "The first option" }, { key: "B", text: "The second option" }], answer: ["A"] };
    case "true_false":
      return { answer: true };
    case "short_answer":
      return { answer: ["42"], grading: { method: "exact" } };
    case "fill_blank":
      return { text: "The answer is {{1}}.", blanks: [{ accepted: ["42"] }] };
    case "matching":
      return { pairs: [{ left: "First", right: "One" }, { left: "Second", right: "Two" }], distractors: [] };
    case "ordering":
      return { items: ["First", "Second", "Third"] };
    case "essay":
      return { min_words: 0, grading: { method: "manual", rubric: [] } };
    case "code":
      return {
        languages: ["python"], entry_point: "solve", starter: { python: "def solve(x):\n    ...\n" },
        tests: [{ name: "sample-1", kind: "call", args: [1], expected: 1, visibility: "sample" }],
        limits: { time_s: 2, memory_mb: 256 }, checker: "exact",
        solutions: [{ language: "python", code: "def solve(x):\n    return x\n" }],
      };
  }
  return {};
}

const TYPE_FIELDS = ["options", "answer", "blanks", "pairs", "distractors", "items", "min_words", "max_words", "model_answer",
  "grading", "languages", "starter", "entry_point", "arg_types", "return_type", "tests", "checker", "limits", "solutions", "generator"];

/** The question as another type: the common fields stay, the old type's own fields go. */
export function changeType(question: BankQuestion, type: QuestionType): BankQuestion {
  const kept = Object.fromEntries(Object.entries(question).filter(([key]) => !TYPE_FIELDS.includes(key)));
  const defaults = typeDefaults(type);
  return { ...kept, ...defaults, type, text: type === "fill_blank" ? defaults["text"] : kept["text"] };
}

export interface FormProps {
  question: BankQuestion;
  onChange: (question: BankQuestion) => void;
}

export function QuestionForm({ question, onChange }: FormProps): JSX.Element {
  const type = text(question["type"]) as QuestionType;
  const set: Setter = (changes) => {
    const next = { ...question };
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) delete next[key];
      else next[key] = value;
    }
    onChange(next);
  };
  const difficulty = question["difficulty"];
  const difficulties: [string, string][] = [["easy", "easy"], ["medium", "medium"], ["hard", "hard"]];
  if (typeof difficulty === "number") difficulties.push([String(difficulty), `${difficulty} (a number from 0 to 1)`]);
  return (
    <div class="question-form">
      <fieldset>
        <legend>The question</legend>
        <div class="grid-2 tight">
          <TextField id="q-id" path="id" label="Identifier" value={text(question["id"])} onChange={(v) => set({ id: v })} required
            help="Saving with the same identifier makes a new version of that question." />
          <SelectField id="q-type" path="type" label="Type" value={type} onChange={(v) => onChange(changeType(question, v as QuestionType))}
            options={TYPES.map((t): [string, string] => [t, TYPE_LABELS[t]])} />
        </div>
        <TextField id="q-title" path="title" label="Title" value={text(question["title"])} onChange={(v) => set({ title: v })} required />
        <TextArea id="q-text" path="text" label="Text (Markdown)" rows={5} value={text(question["text"])} onChange={(v) => set({ text: v })}
          help={type === "fill_blank" ? "Mark each blank with {{1}}, {{2}}, … in the order of the blanks below." : undefined} />
        <div class="grid-3 tight">
          <SelectField id="q-difficulty" path="difficulty" label="Difficulty" value={String(difficulty ?? "medium")}
            onChange={(v) => set({ difficulty: ["easy", "medium", "hard"].includes(v) ? v : Number(v) })} options={difficulties} />
          <NumberField id="q-points" path="points" label="Points" value={num(question["points"]) ?? 1} step="any" min="0"
            onChange={(v) => set({ points: v ?? undefined })} />
          <div class="field field-check">
            <Check id="q-partial" label="Partial credit" checked={question["partial_credit"] !== false}
              onChange={(v) => set({ partial_credit: v ? undefined : false })} />
          </div>
        </div>
        <div class="grid-3 tight">
          <ListField id="q-topics" path="topics" label="Topics (comma-separated)" value={list<string>(question["topics"])} onChange={(v) => set({ topics: v })} />
          <ListField id="q-skills" path="skills" label="Skills (comma-separated)" value={list<string>(question["skills"])} onChange={(v) => set({ skills: v })} />
          <ListField id="q-tags" path="tags" label="Tags (comma-separated)" value={list<string>(question["tags"])} onChange={(v) => set({ tags: v })} />
        </div>
      </fieldset>

      <TypeFields type={type} question={question} set={set} />

      <fieldset>
        <legend>After answering</legend>
        <TextArea id="q-explanation" path="explanation" label="Explanation (Markdown, shown when the feedback policy allows)" rows={3}
          value={text(question["explanation"])} onChange={(v) => set({ explanation: v || undefined })} />
        <Check id="q-practice" path="practice" label="Open to practice (practice shows the answer and explanation after each answer)"
          checked={question["practice"] === true} onChange={(v) => set({ practice: v || undefined })} />
        <RowList legend="Hints, in the order they are given" noun="hint" path="hints" ordered items={list<string>(question["hints"])}
          onChange={(v) => set({ hints: v })} make={() => ""}
          render={(hint, i, update) => (
            <TextField id={`q-hint-${i}`} path={`hints[${i}]`} label={`Hint ${i + 1}`} value={hint} onChange={update} />
          )} />
      </fieldset>
    </div>
  );
}

/** Change some of the question's fields; a field set to undefined is removed. */
export type Setter = (changes: BankQuestion) => void;

function TypeFields({ type, question, set }: { type: QuestionType; question: BankQuestion; set: Setter }): JSX.Element | null {
  switch (type) {
    case "mcq":
    case "mcq_multi":
      return <OptionFields question={question} set={set} many={type === "mcq_multi"} />;
    case "true_false":
      return (
        <fieldset>
          <legend>The right answer</legend>
          <div class="choices-inline" role="radiogroup" aria-label="The statement is">
            {[true, false].map((value) => (
              <label class="check" key={String(value)} for={`q-tf-${value}`}>
                <input type="radio" id={`q-tf-${value}`} name="q-tf" checked={question["answer"] === value} onChange={() => set({ answer: value })} />
                {value ? "True" : "False"}
              </label>
            ))}
          </div>
        </fieldset>
      );
    case "short_answer":
      return <ShortAnswerFields question={question} set={set} />;
    case "fill_blank":
      return <BlankFields question={question} set={set} />;
    case "matching":
      return <MatchingFields question={question} set={set} />;
    case "ordering":
      return (
        <fieldset>
          <legend>Items</legend>
          <RowList legend="Items, in the correct order (candidates see them shuffled)" noun="item" path="items" ordered min={2}
            items={list<string>(question["items"])} onChange={(v) => set({ items: v })} make={() => ""}
            render={(item, i, update) => <TextField id={`q-item-${i}`} path={`items[${i}]`} label={`Item ${i + 1}`} value={item} onChange={update} />} />
        </fieldset>
      );
    case "essay":
      return <EssayFields question={question} set={set} />;
    case "code":
      return <CodeFields question={question} set={set} />;
  }
  return null;
}

function nextKey(keys: string[]): string {
  for (let code = 65; code < 91; code++) {
    const key = String.fromCharCode(code);
    if (!keys.includes(key)) return key;
  }
  return String(keys.length + 1);
}

function OptionFields({ question, set, many }: { question: BankQuestion; set: Setter; many: boolean }): JSX.Element {
  const options = list<{ key: string; text: string }>(question["options"]);
  const answer = question["answer"];
  const correct = new Set(many ? list<string>(answer) : [text(answer)]);
  const mark = (key: string, on: boolean): void => {
    if (!many) {
      set({ answer: key });
      return;
    }
    const keys = options.map((o) => o.key).filter((k) => (k === key ? on : correct.has(k)));
    set({ answer: keys });
  };
  const change = (next: { key: string; text: string }[]): void => {
    // A renamed option keeps its "correct" mark; a removed one takes it away.
    const renamed = (key: string): string | null => {
      if (next.some((o) => o.key === key)) return key;
      const at = options.findIndex((o) => o.key === key);
      return next.length === options.length && at >= 0 ? next[at]?.key ?? null : null;
    };
    if (many) set({ options: next, answer: list<string>(answer).map(renamed).filter((k): k is string => k !== null) });
    else set({ options: next, answer: renamed(text(answer)) ?? undefined });
  };
  return (
    <fieldset>
      <legend>Options</legend>
      <RowList legend={many ? "Options; tick every correct one" : "Options; choose the correct one"} noun="option" path="options" ordered min={2}
        items={options} onChange={change} make={() => ({ key: nextKey(options.map((o) => o.key)), text: "" })}
        render={(option, i, update) => (
          <div class="option-row">
            <TextField id={`q-opt-key-${i}`} path={`options[${i}].key`} label="Key" value={option.key}
              onChange={(v) => update({ ...option, key: v })} />
            <TextField id={`q-opt-text-${i}`} path={`options[${i}].text`} label={`Option ${i + 1} text`} value={option.text}
              onChange={(v) => update({ ...option, text: v })} />
            <label class="check" for={`q-opt-correct-${i}`}>
              <input id={`q-opt-correct-${i}`} type={many ? "checkbox" : "radio"} name="q-correct" checked={correct.has(option.key)}
                onChange={(e) => mark(option.key, (e.currentTarget as HTMLInputElement).checked)} />
              Correct
            </label>
          </div>
        )} />
      <FieldNote path="answer" />
    </fieldset>
  );
}

/** Errors about a field with no control of its own (such as `answer`, edited through the option marks). */
function FieldNote({ path }: { path: string }): JSX.Element | null {
  const errors = useFieldErrors(path);
  return <FieldMessages id={`${fieldId(path)}-error`} messages={errors} />;
}

const TEXT_METHODS: [string, string][] = [
  ["exact", "Exact (ignoring case unless ticked)"],
  ["contains", "Contains an accepted answer"],
  ["regex", "Regular expression"],
  ["numeric", "Number (with a tolerance)"],
  ["keywords", "Key phrases of a rubric"],
  ["ai", "AI grading by a rubric"],
  ["manual", "A reviewer grades it"],
];

function GradingFields({ question, set, methods }: { question: BankQuestion; set: Setter; methods: [string, string][] }): JSX.Element {
  const grading = (question["grading"] ?? {}) as Grading;
  const method = grading.method ?? methods[0]?.[0] ?? "exact";
  const setGrading = (changes: Partial<Grading>): void => set({ grading: { ...grading, ...changes } });
  return (
    <>
      <div class="grid-3 tight">
        <SelectField id="q-grading" path="grading.method" label="Grading" value={method} options={methods}
          onChange={(v) => setGrading({ method: v })} />
        {["exact", "contains", "regex"].includes(method) ? (
          <div class="field field-check">
            <Check id="q-case" label="Case-sensitive" checked={!!grading.case_sensitive} onChange={(v) => setGrading({ case_sensitive: v })} />
          </div>
        ) : null}
        {method === "numeric" ? (
          <NumberField id="q-abs-tol" path="grading.abs_tol" label="Tolerance (±)" step="any" min="0" value={grading.abs_tol ?? 0}
            onChange={(v) => setGrading({ abs_tol: v ?? 0 })} />
        ) : null}
      </div>
      {method === "keywords" || method === "ai" || (method === "manual" && question["type"] === "essay") ? (
        <RubricFields rubric={grading.rubric ?? []} onChange={(rubric) => setGrading({ rubric })} />
      ) : null}
    </>
  );
}

function RubricFields({ rubric, onChange }: { rubric: Criterion[]; onChange: (rubric: Criterion[]) => void }): JSX.Element {
  const total = rubric.reduce((sum, c) => sum + (c.weight ?? 1), 0);
  return (
    <RowList legend="Rubric criteria" noun="criterion" path="grading.rubric" items={rubric} onChange={onChange}
      make={() => ({ name: "", weight: 1, key_phrases: [] })}
      help={total ? `Each criterion's share of the points is its weight over ${total}.` : "Criteria, their weights and the phrases that show each."}
      render={(criterion, i, update) => (
        <div class="criterion-row">
          <div class="grid-3 tight">
            <TextField id={`q-crit-name-${i}`} path={`grading.rubric[${i}].name`} label={`Criterion ${i + 1}`} value={criterion.name}
              onChange={(v) => update({ ...criterion, name: v })} />
            <NumberField id={`q-crit-weight-${i}`} path={`grading.rubric[${i}].weight`} label="Weight" step="any" min="0"
              value={criterion.weight ?? 1} onChange={(v) => update({ ...criterion, weight: v ?? 1 })} />
            <NumberField id={`q-crit-fraction-${i}`} path={`grading.rubric[${i}].required_fraction`} label="Share of phrases for full credit"
              step="0.05" min="0" value={criterion.required_fraction ?? 1} onChange={(v) => update({ ...criterion, required_fraction: v ?? 1 })} />
          </div>
          <ListField id={`q-crit-phrases-${i}`} path={`grading.rubric[${i}].key_phrases`} label="Key phrases (comma-separated)"
            value={criterion.key_phrases ?? []} onChange={(v) => update({ ...criterion, key_phrases: v })} />
          <TextField id={`q-crit-desc-${i}`} path={`grading.rubric[${i}].description`} label="What a reviewer looks for"
            value={criterion.description ?? ""} onChange={(v) => update({ ...criterion, description: v })} />
        </div>
      )} />
  );
}

function ShortAnswerFields({ question, set }: { question: BankQuestion; set: Setter }): JSX.Element {
  const raw = question["answer"];
  const answers = typeof raw === "string" ? [raw] : list<string>(raw).map(String);
  return (
    <fieldset>
      <legend>Accepted answers</legend>
      <GradingFields question={question} set={set} methods={TEXT_METHODS} />
      <RowList legend="Accepted answers" noun="accepted answer" path="answer" items={answers} onChange={(v) => set({ answer: v })} make={() => ""}
        render={(answer, i, update) => (
          <TextField id={`q-accepted-${i}`} path={`answer[${i}]`} label={`Accepted answer ${i + 1}`} value={answer} onChange={update} />
        )} />
    </fieldset>
  );
}

type Blank = { accepted: string[]; match?: string; case_sensitive?: boolean; abs_tol?: number; weight?: number };

function BlankFields({ question, set }: { question: BankQuestion; set: Setter }): JSX.Element {
  const blanks = list<Blank>(question["blanks"]).map((b) => ({ ...b, accepted: typeof b.accepted === "string" ? [b.accepted] : list<string>(b.accepted).map(String) }));
  return (
    <fieldset>
      <legend>Blanks</legend>
      <RowList legend="Blanks, in the order of their markers" noun="blank" path="blanks" min={1} items={blanks} onChange={(v) => set({ blanks: v })}
        make={() => ({ accepted: [] })}
        help="Blank 1 is {{1}} in the text, blank 2 is {{2}}, and so on."
        render={(blank, i, update) => (
          <div class="grid-3 tight">
            <ListField id={`q-blank-${i}`} path={`blanks[${i}].accepted`} label={`Blank ${i + 1}: accepted answers (comma-separated)`}
              value={blank.accepted} onChange={(v) => update({ ...blank, accepted: v })} />
            <SelectField id={`q-blank-match-${i}`} path={`blanks[${i}].match`} label="Compared as" value={blank.match ?? "exact"}
              options={[["exact", "exact text"], ["contains", "contains"], ["regex", "regular expression"], ["numeric", "number"]]}
              onChange={(v) => update({ ...blank, match: v })} />
            <NumberField id={`q-blank-weight-${i}`} path={`blanks[${i}].weight`} label="Weight" step="any" min="0" value={blank.weight ?? 1}
              onChange={(v) => update({ ...blank, weight: v ?? 1 })} />
          </div>
        )} />
    </fieldset>
  );
}

function MatchingFields({ question, set }: { question: BankQuestion; set: Setter }): JSX.Element {
  const pairs = list<{ left: string; right: string }>(question["pairs"]);
  return (
    <fieldset>
      <legend>Pairs</legend>
      <RowList legend="Pairs that match" noun="pair" path="pairs" min={2} items={pairs} onChange={(v) => set({ pairs: v })} make={() => ({ left: "", right: "" })}
        render={(pair, i, update) => (
          <div class="grid-2 tight">
            <TextField id={`q-left-${i}`} path={`pairs[${i}].left`} label={`Pair ${i + 1}: left`} value={pair.left} onChange={(v) => update({ ...pair, left: v })} />
            <TextField id={`q-right-${i}`} path={`pairs[${i}].right`} label={`Pair ${i + 1}: right`} value={pair.right} onChange={(v) => update({ ...pair, right: v })} />
          </div>
        )} />
      <ListField id="q-distractors" path="distractors" label="Distractors: right items that match nothing (comma-separated)"
        value={list<string>(question["distractors"])} onChange={(v) => set({ distractors: v })} />
    </fieldset>
  );
}

function EssayFields({ question, set }: { question: BankQuestion; set: Setter }): JSX.Element {
  return (
    <fieldset>
      <legend>Essay</legend>
      <div class="grid-2 tight">
        <NumberField id="q-min-words" path="min_words" label="Fewest words" min="0" value={num(question["min_words"]) ?? 0}
          onChange={(v) => set({ min_words: v ?? 0 })} />
        <NumberField id="q-max-words" path="max_words" label="Most words (empty for no limit)" min="1" value={num(question["max_words"])}
          onChange={(v) => set({ max_words: v ?? undefined })} />
      </div>
      <TextArea id="q-model-answer" path="model_answer" label="Model answer (for reviewers and AI grading)" rows={3}
        value={text(question["model_answer"])} onChange={(v) => set({ model_answer: v || undefined })} />
      <GradingFields question={question} set={set} methods={[["manual", "A reviewer grades it"], ["keywords", "Key phrases of the rubric"], ["ai", "AI grading by the rubric"]]} />
    </fieldset>
  );
}
