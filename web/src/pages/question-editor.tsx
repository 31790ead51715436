// The question editor: a form per question type, or the raw bank format (JSON) as an advanced tab, with a
// live preview of what the candidate will see. Saving imports the question (a new version when it
// exists); the server's validation errors are shown next to the fields they name.

import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";

import { get, post, request } from "../api";
import { AnswerControl, type AnswerValue, initialValue } from "../answers";
import { CodeEditor, languageName } from "../editor";
import { ErrorsProvider, type FieldErrors, SelectField, bankErrors, bankProblems } from "../fields";
import { Link, navigate } from "../router";
import type { ImportReport, QuestionDetail, QuestionType, QuestionView, SampleTest } from "../types";
import { ErrorBox, Loading, Notice, Page, useAsync } from "../ui";
import { type BankQuestion, KNOWN_FIELDS, QuestionForm, list, typeDefaults } from "./question-form";
import { ReferenceRun } from "./reference-run";
import { ProblemPane } from "./take";

const TEMPLATE: BankQuestion = {
  id: "my-question",
  type: "mcq",
  title: "A new question",
  text: "Which of these is **true**?",
  topics: ["general"],
  difficulty: "easy",
  points: 1,
  ...typeDefaults("mcq"),
  explanation: "Why A is right.",
  hints: [],
};

/** What a candidate would see of a bank question (without shuffling), for the live preview. */
export function previewView(q: BankQuestion): QuestionView {
  const type = String(q["type"] ?? "mcq") as QuestionType;
  const view: QuestionView = {
    question_id: String(q["id"] ?? "preview"),
    version: 0,
    type,
    title: String(q["title"] ?? ""),
    text: String(q["text"] ?? ""),
    points: Number(q["points"] ?? 1),
    hints_available: list(q["hints"]).length,
    topics: list<string>(q["topics"]),
    difficulty: typeof q["difficulty"] === "number" ? String(q["difficulty"]) : (q["difficulty"] as string | undefined) ?? "medium",
  };
  if (type === "mcq" || type === "mcq_multi") {
    view.options = list<{ key: string; text: string }>(q["options"]);
    view.select = type === "mcq" ? "one" : "many";
  } else if (type === "ordering") {
    view.items = list<string>(q["items"]);
  } else if (type === "matching") {
    const pairs = list<{ left: string; right: string }>(q["pairs"]);
    view.lefts = pairs.map((p) => p.left);
    view.rights = [...pairs.map((p) => p.right), ...list<string>(q["distractors"])];
  } else if (type === "fill_blank") {
    view.blanks = list(q["blanks"]).length;
  } else if (type === "essay") {
    view.min_words = (q["min_words"] as number | undefined) ?? null;
    view.max_words = (q["max_words"] as number | undefined) ?? null;
  } else if (type === "code") {
    view.languages = list<string>(q["languages"]).length ? list<string>(q["languages"]) : ["python"];
    view.starter = (q["starter"] as Record<string, string> | undefined) ?? {};
    view.entry_point = (q["entry_point"] as string | undefined) ?? null;
    const limits = (q["limits"] as { time_s?: number; memory_mb?: number } | undefined) ?? {};
    view.limits = { time_s: limits.time_s ?? 2, memory_mb: limits.memory_mb ?? 256 };
    view.sample_tests = list<Record<string, unknown>>(q["tests"])
      .filter((t) => t["visibility"] === "sample")
      .map((t): SampleTest => ({ name: String(t["name"] ?? ""), input: (t["input"] as string | undefined) ?? null, args: (t["args"] as unknown[] | undefined) ?? null, expected: t["expected"] }));
  }
  return view;
}

function Preview({ question }: { question: QuestionView }): JSX.Element {
  const [value, setValue] = useState<AnswerValue>(() => initialValue(question));
  const [language, setLanguage] = useState(question.languages?.[0] ?? "python");
  const shape = JSON.stringify([question.type, question.options, question.items, question.lefts, question.rights, question.blanks, question.languages]);
  useEffect(() => {
    setValue(initialValue(question));
    setLanguage(question.languages?.[0] ?? "python");
  }, [shape]);
  const shown = question.languages?.includes(language) ? language : question.languages?.[0] ?? "python";
  return (
    <div class="preview">
      <ProblemPane question={question} position={null} />
      {question.type === "code" ? (
        <div>
          <SelectField id="preview-language" label="Preview language" value={shown} onChange={setLanguage}
            options={(question.languages ?? []).map((l): [string, string] => [l, languageName(l)])} />
          <CodeEditor key={`${shown}:${question.starter?.[shown] ?? ""}`} value={question.starter?.[shown] ?? ""} language={shown}
            readOnly label={`Starter code, ${languageName(shown)}`} />
        </div>
      ) : (
        <AnswerControl question={question} value={value} onChange={setValue} />
      )}
      {question.hints_available ? <p class="muted small">{question.hints_available} hints in the ladder.</p> : null}
    </div>
  );
}

type Tab = "form" | "json";

function Tabs({ tab, onTab }: { tab: Tab; onTab: (tab: Tab) => void }): JSX.Element {
  const tabs: [Tab, string][] = [["form", "Form"], ["json", "JSON (advanced)"]];
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const keyDown = (event: KeyboardEvent): void => {
    // Arrow keys move between tabs, as the ARIA tabs pattern expects.
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    const next: Tab = tab === "form" ? "json" : "form";
    onTab(next);
    refs.current[next]?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label="Edit the question as">
      {tabs.map(([id, label]) => (
        <button type="button" role="tab" key={id} id={`tab-${id}`} aria-selected={tab === id} aria-controls={`panel-${id}`}
          tabIndex={tab === id ? 0 : -1} class={`tab ${tab === id ? "active" : ""}`} onClick={() => onTab(id)} onKeyDown={keyDown}
          ref={(el) => { refs.current[id] = el; }}>
          {label}
        </button>
      ))}
    </div>
  );
}

function ErrorSummary({ errors }: { errors: FieldErrors }): JSX.Element | null {
  if (!errors.size) return null;
  const lines = [...errors.entries()].flatMap(([path, messages]) => messages.map((m) => (path ? `${path}: ${m}` : m)));
  return (
    <div class="alert alert-error" role="alert">
      <p>The bank does not accept the question ({lines.length} {lines.length === 1 ? "problem" : "problems"}); each is shown by its field:</p>
      <ul>
        {lines.map((line) => <li key={line}>{line}</li>)}
      </ul>
    </div>
  );
}

export function QuestionEditorPage({ id }: { id: string | null }): JSX.Element {
  const detail = useAsync<QuestionDetail | null>(() => (id ? get<QuestionDetail>(`/api/questions/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  const [question, setQuestion] = useState<BankQuestion | null>(null);
  const [tab, setTab] = useState<Tab>("form");
  const [text, setText] = useState("");
  const [docKey, setDocKey] = useState(0);
  const [saved, setSaved] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (detail.loading) return;
    const loaded = detail.data?.question ?? TEMPLATE;
    setQuestion(loaded);
    setText(JSON.stringify(loaded, null, 2));
    setDocKey((k) => k + 1);
  }, [detail.loading, detail.data]);

  const jsonProblem = useMemo((): string | null => {
    if (tab !== "json") return null;
    try {
      const value = JSON.parse(text) as unknown;
      return value && typeof value === "object" && !Array.isArray(value) ? null : "The question is a JSON object: { \"id\": …, \"type\": … }.";
    } catch (failure) {
      return failure instanceof Error ? failure.message : String(failure);
    }
  }, [text, tab]);

  const [checked, setChecked] = useState<{ problems: string[] } | null>(null);
  const fieldErrors = useMemo(
    () => (error ? bankErrors(error, KNOWN_FIELDS) : bankProblems(checked?.problems ?? [], KNOWN_FIELDS)),
    [error, checked],
  );

  /** Ask the bank whether it would accept the question, without saving it. */
  const check = async (): Promise<void> => {
    if (!question || jsonProblem) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const report = await request<{ valid: boolean; problems: string[] }>("POST", "/api/questions/validate", {
        body: JSON.stringify({ questions: [question] }), contentType: "application/json",
      });
      setChecked({ problems: report.problems });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  /** Archive (out of the bank's lists, pools and practice) or bring back the saved question. */
  const setArchived = async (archive: boolean): Promise<void> => {
    if (!id) return;
    setBusy(true);
    setError(null);
    try {
      await post(`/api/questions/${encodeURIComponent(id)}/${archive ? "archive" : "unarchive"}`);
      detail.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const changeText = (next: string): void => {
    setText(next);
    try {
      const value = JSON.parse(next) as unknown;
      if (value && typeof value === "object" && !Array.isArray(value)) setQuestion(value as BankQuestion);
    } catch {
      // not valid yet: the form and the preview keep the last valid question
    }
  };
  const changeTab = (next: Tab): void => {
    if (next === "json" && question) {
      setText(JSON.stringify(question, null, 2));
      setDocKey((k) => k + 1);
    }
    setTab(next);
  };

  const save = async (): Promise<void> => {
    if (!question || jsonProblem) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    setChecked(null);
    try {
      const report = await request<ImportReport>("POST", "/api/questions/import", {
        body: JSON.stringify({ questions: [question] }), contentType: "application/json",
      });
      setSaved(report);
      const newId = String(question["id"] ?? "");
      if (newId && newId !== id) navigate(`/bank/edit?id=${encodeURIComponent(newId)}`, { replace: true });
      else detail.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (detail.loading || question === null) return <Loading />;
  const d = detail.data;
  return (
    <Page title={id ? `Edit: ${String(d?.question["title"] ?? id)}` : "New question"} wide
      actions={<Link class="btn" href="/bank">Back to the bank</Link>}>
      <ErrorBox error={detail.error} />
      {d ? (
        <p class="muted small">
          Version {d.version} (of {d.versions.join(", ")}) · {d.active ? "active" : "inactive"} · shown {d.statistics.times_shown} times,
          correct {d.statistics.times_correct} · saving a change creates a new version; attempts keep the version they were given.
        </p>
      ) : (
        <p class="muted small">Fill in the form, or write the question in the bank format in the JSON tab (<code>sensei bank schema</code> describes every field).</p>
      )}
      <div class={`editor-split ${tab === "form" ? "form-split" : ""}`}>
        <section aria-labelledby="source-title" class="editor-source">
          <h2 id="source-title" class="sr-only">Question</h2>
          <Tabs tab={tab} onTab={changeTab} />
          <ErrorsProvider errors={fieldErrors}>
            <ErrorSummary errors={fieldErrors} />
            {!fieldErrors.size ? <ErrorBox error={error} /> : null}
            <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
              {tab === "form" ? (
                <>
                  <QuestionForm question={question} onChange={setQuestion} />
                  {/* The code form runs its reference solutions itself; the other types check their key here. */}
                  {question["type"] !== "code" ? <ReferenceRun question={question} /> : null}
                </>
              ) : (
                <>
                  <CodeEditor value={text} language="json" docKey={String(docKey)} label="Question in the bank format, JSON" onChange={changeText} minHeight="420px" wrap />
                  {jsonProblem ? <p class="alert alert-warning" role="status">Not valid JSON yet: {jsonProblem}</p> : null}
                </>
              )}
            </div>
          </ErrorsProvider>
          {checked && !checked.problems.length ? <Notice kind="success">The bank accepts this question (not saved yet).</Notice> : null}
          {saved ? (
            <Notice kind="success">
              Saved: {saved.created} created, {saved.updated} updated, {saved.unchanged} unchanged.
            </Notice>
          ) : null}
          <div class="actions">
            <button type="button" class="btn btn-primary" disabled={busy || !!jsonProblem} onClick={() => void save()}>
              {busy ? "Saving…" : "Save to the bank"}
            </button>
            <button type="button" class="btn" disabled={busy || !!jsonProblem} onClick={() => void check()}>
              Check without saving
            </button>
            {d ? (
              <button type="button" class="btn" disabled={busy} onClick={() => void setArchived(d.active)}>
                {d.active ? "Archive" : "Bring back from the archive"}
              </button>
            ) : null}
          </div>
        </section>
        <section aria-labelledby="preview-title" class="editor-preview">
          <h2 id="preview-title">Live preview</h2>
          <Preview question={previewView(question)} />
        </section>
      </div>
    </Page>
  );
}
