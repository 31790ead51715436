// Authors: the bank browser (search and filters), the question editor with a live preview, the assessment
// builder, publishing, and invitations with their one-time links.

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";

import { get, post, request } from "../api";
import { AnswerControl, type AnswerValue, initialValue } from "../answers";
import { CodeEditor, languageName } from "../editor";
import { Markdown } from "../markdown";
import { Link, navigate } from "../router";
import type {
  AssessmentBrief,
  AssessmentOut,
  ImportReport,
  InvitationOut,
  QuestionDetail,
  QuestionPage,
  QuestionSummary,
  QuestionType,
  QuestionView,
  SampleTest,
} from "../types";
import {
  CopyButton,
  DifficultyBadge,
  ErrorBox,
  Loading,
  Notice,
  Page,
  StatusBadge,
  formatDate,
  useAsync,
} from "../ui";
import { ProblemPane } from "./take";

const TYPES: QuestionType[] = ["mcq", "mcq_multi", "true_false", "short_answer", "fill_blank", "matching", "ordering", "essay", "code"];
const LANGUAGES = ["python", "javascript", "c", "cpp", "java", "rust"];
const PAGE_SIZE = 25;

function SelectField(props: { id: string; label: string; value: string; options: [string, string][]; onChange: (v: string) => void }): JSX.Element {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {props.options.map(([value, label]) => (
          <option value={value} key={value}>{label}</option>
        ))}
      </select>
    </div>
  );
}

function TextField(props: { id: string; label: string; value: string; onChange: (v: string) => void; type?: string; required?: boolean; help?: string; placeholder?: string }): JSX.Element {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type={props.type ?? "text"} value={props.value} required={props.required} placeholder={props.placeholder}
        aria-describedby={props.help ? `${props.id}-help` : undefined}
        onInput={(e) => props.onChange((e.currentTarget as HTMLInputElement).value)} />
      {props.help ? <p id={`${props.id}-help`} class="hint-text">{props.help}</p> : null}
    </div>
  );
}

// ---- the bank browser ------------------------------------------------------------------------------

export function BankPage({ query }: { query: URLSearchParams }): JSX.Element {
  const q = query.get("q") ?? "";
  const type = query.get("type") ?? "";
  const topic = query.get("topic") ?? "";
  const difficulty = query.get("difficulty") ?? "";
  const language = query.get("language") ?? "";
  const offset = Number(query.get("offset") ?? 0) || 0;
  const [form, setForm] = useState({ q, type, topic, difficulty, language });
  useEffect(() => setForm({ q, type, topic, difficulty, language }), [q, type, topic, difficulty, language]);
  const page = useAsync(
    () => get<QuestionPage>("/api/questions", {
      q, type, topic: topic ? topic.split(",").map((t) => t.trim()).filter(Boolean) : null, difficulty, language,
      limit: PAGE_SIZE, offset,
    }),
    [q, type, topic, difficulty, language, offset],
  );

  const go = (changes: Record<string, string | number>): void => {
    const params = new URLSearchParams();
    const merged = { ...form, offset: 0, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, String(value));
    const encoded = params.toString();
    navigate(`/bank${encoded ? `?${encoded}` : ""}`);
  };

  return (
    <Page title="Question bank" wide actions={<Link class="btn btn-primary" href="/bank/edit">New question</Link>}>
      <form class="filters" role="search" aria-label="Search the bank" onSubmit={(e) => { e.preventDefault(); go({}); }}>
        <TextField id="bank-q" label="Search" value={form.q} onChange={(v) => setForm({ ...form, q: v })} placeholder="words in title or text" />
        <SelectField id="bank-type" label="Type" value={form.type} onChange={(v) => setForm({ ...form, type: v })}
          options={[["", "Any type"], ...TYPES.map((t): [string, string] => [t, t.replace(/_/g, " ")])]} />
        <TextField id="bank-topic" label="Topic" value={form.topic} onChange={(v) => setForm({ ...form, topic: v })} placeholder="e.g. arrays" />
        <SelectField id="bank-difficulty" label="Difficulty" value={form.difficulty} onChange={(v) => setForm({ ...form, difficulty: v })}
          options={[["", "Any"], ["easy", "easy"], ["medium", "medium"], ["hard", "hard"]]} />
        <SelectField id="bank-language" label="Language" value={form.language} onChange={(v) => setForm({ ...form, language: v })}
          options={[["", "Any"], ...LANGUAGES.map((l): [string, string] => [l, languageName(l)])]} />
        <button type="submit" class="btn btn-primary">Search</button>
      </form>
      {page.loading ? <Loading /> : null}
      <ErrorBox error={page.error} onRetry={page.reload} />
      {page.data ? (
        <>
          <p class="muted" role="status">{page.data.total} {page.data.total === 1 ? "question" : "questions"}{q ? ` match “${q}”` : ""}</p>
          <QuestionTable items={page.data.items} />
          {!q && page.data.total > PAGE_SIZE ? (
            <nav class="pager" aria-label="Pages">
              <button type="button" class="btn" disabled={offset === 0} onClick={() => go({ ...form, offset: Math.max(0, offset - PAGE_SIZE) })}>Previous</button>
              <span>{offset + 1}–{Math.min(offset + PAGE_SIZE, page.data.total)} of {page.data.total}</span>
              <button type="button" class="btn" disabled={offset + PAGE_SIZE >= page.data.total} onClick={() => go({ ...form, offset: offset + PAGE_SIZE })}>Next</button>
            </nav>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function QuestionTable({ items, onAdd, added }: { items: QuestionSummary[]; onAdd?: (q: QuestionSummary) => void; added?: Set<string> }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr><th scope="col">Question</th><th scope="col">Type</th><th scope="col">Difficulty</th><th scope="col">Topics</th><th scope="col">Languages</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <td>
                <Link href={`/bank/edit?id=${encodeURIComponent(item.id)}`}>{item.title}</Link>
                <div class="muted small mono">{item.id} · v{item.version}</div>
              </td>
              <td>{item.type.replace(/_/g, " ")}</td>
              <td><DifficultyBadge difficulty={item.difficulty} /></td>
              <td>{item.topics.join(", ")}</td>
              <td>{item.languages.map(languageName).join(", ")}</td>
              <td>
                {onAdd ? (
                  <button type="button" class="btn btn-small" disabled={added?.has(item.id)} onClick={() => onAdd(item)}
                    aria-label={`Add ${item.title}`}>
                    {added?.has(item.id) ? "Added" : "Add"}
                  </button>
                ) : (
                  <Link class="btn btn-small" href={`/bank/edit?id=${encodeURIComponent(item.id)}`}>Edit</Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---- the question editor ---------------------------------------------------------------------------

const TEMPLATE = {
  id: "my-question",
  type: "mcq",
  title: "A new question",
  text: "Which of these is **true**?",
  topics: ["general"],
  difficulty: "easy",
  points: 1,
  options: [
    { key: "A", text: "The first option" },
    { key: "B", text: "The second option" },
  ],
  answer: "A",
  explanation: "Why A is right.",
  hints: [],
};

type BankQuestion = Record<string, unknown>;

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

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
  return (
    <div class="preview">
      <ProblemPane question={question} position={null} />
      {question.type === "code" ? (
        <div>
          <SelectField id="preview-language" label="Preview language" value={language} onChange={setLanguage}
            options={(question.languages ?? []).map((l): [string, string] => [l, languageName(l)])} />
          <CodeEditor key={`${language}:${question.starter?.[language] ?? ""}`} value={question.starter?.[language] ?? ""} language={language}
            readOnly label={`Starter code, ${languageName(language)}`} />
        </div>
      ) : (
        <AnswerControl question={question} value={value} onChange={setValue} />
      )}
      {question.hints_available ? <p class="muted small">{question.hints_available} hints in the ladder.</p> : null}
    </div>
  );
}

export function QuestionEditorPage({ id }: { id: string | null }): JSX.Element {
  const detail = useAsync<QuestionDetail | null>(() => (id ? get<QuestionDetail>(`/api/questions/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  const [text, setText] = useState<string | null>(null);
  const [docKey, setDocKey] = useState(0);
  const [saved, setSaved] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (detail.loading) return;
    setText(JSON.stringify(detail.data?.question ?? TEMPLATE, null, 2));
    setDocKey((k) => k + 1);
  }, [detail.loading, detail.data]);

  const parsed = useMemo((): { question: BankQuestion } | { error: string } => {
    if (text === null) return { error: "" };
    try {
      const value = JSON.parse(text) as unknown;
      if (!value || typeof value !== "object" || Array.isArray(value)) return { error: "The question is a JSON object: { \"id\": …, \"type\": … }." };
      return { question: value as BankQuestion };
    } catch (failure) {
      return { error: failure instanceof Error ? failure.message : String(failure) };
    }
  }, [text]);

  const save = async (): Promise<void> => {
    if (!("question" in parsed)) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const report = await request<ImportReport>("POST", "/api/questions/import", {
        body: JSON.stringify({ questions: [parsed.question] }), contentType: "application/json",
      });
      setSaved(report);
      const newId = String(parsed.question["id"] ?? "");
      if (newId && newId !== id) navigate(`/bank/edit?id=${encodeURIComponent(newId)}`, { replace: true });
      else detail.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (detail.loading || text === null) return <Loading />;
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
        <p class="muted small">Write the question in the bank format as JSON (<code>sensei bank schema</code> describes every field).</p>
      )}
      <div class="editor-split">
        <section aria-labelledby="source-title" class="editor-source">
          <h2 id="source-title">Question (bank format, JSON)</h2>
          <CodeEditor value={text} language="json" docKey={String(docKey)} label="Question in the bank format, JSON" onChange={setText} minHeight="420px" wrap />
          {"error" in parsed && parsed.error ? <p class="alert alert-warning" role="status">Not valid JSON yet: {parsed.error}</p> : null}
          <ErrorBox error={error} />
          {saved ? (
            <Notice kind="success">
              Saved: {saved.created} created, {saved.updated} updated, {saved.unchanged} unchanged.
            </Notice>
          ) : null}
          <div class="actions">
            <button type="button" class="btn btn-primary" disabled={busy || !("question" in parsed)} onClick={() => void save()}>
              {busy ? "Saving…" : "Save to the bank"}
            </button>
          </div>
        </section>
        <section aria-labelledby="preview-title" class="editor-preview">
          <h2 id="preview-title">Live preview</h2>
          {"question" in parsed ? <Preview question={previewView(parsed.question)} /> : <p class="muted">The preview appears when the JSON is valid.</p>}
        </section>
      </div>
    </Page>
  );
}

// ---- assessments: list, builder, publishing, invitations ---------------------------------------------

export function AssessmentsAdminPage(): JSX.Element {
  const assessments = useAsync(() => get<{ assessments: AssessmentBrief[] }>("/api/assessments"), []);
  const [error, setError] = useState<unknown>(null);
  const publish = async (id: string): Promise<void> => {
    setError(null);
    try {
      await post<AssessmentOut>(`/api/assessments/${encodeURIComponent(id)}/publish`);
      assessments.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Page title="Manage assessments" wide actions={<Link class="btn btn-primary" href="/author/assessments/new">New assessment</Link>}>
      {assessments.loading ? <Loading /> : null}
      <ErrorBox error={assessments.error ?? error} />
      {assessments.data ? (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr><th scope="col">Assessment</th><th scope="col">Mode</th><th scope="col">Questions</th><th scope="col">Access</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {assessments.data.assessments.map((a) => (
                <tr key={a.id}>
                  <td>{a.title}<div class="muted small mono">{a.id}</div></td>
                  <td>{a.mode}</td>
                  <td>{a.questions}</td>
                  <td>{a.access}</td>
                  <td><StatusBadge status={a.status} /></td>
                  <td class="row-actions">
                    {a.status === "draft" ? (
                      <>
                        <Link class="btn btn-small" href={`/author/assessments/new?from=${encodeURIComponent(a.id)}`}>Edit</Link>
                        <button type="button" class="btn btn-small btn-primary" onClick={() => void publish(a.id)}>Publish</button>
                      </>
                    ) : (
                      <Link class="btn btn-small" href={`/author/assessments/new?from=${encodeURIComponent(a.id)}`}>Copy</Link>
                    )}
                    <Link class="btn btn-small" href={`/author/assessments/${encodeURIComponent(a.id)}/invitations`}>Invitations</Link>
                    <Link class="btn btn-small" href={`/review?assessment=${encodeURIComponent(a.id)}`}>Results</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}

interface Definition {
  id: string;
  title: string;
  instructions: string;
  mode: "fixed" | "random" | "adaptive";
  questions: string[];
  pool: { topics: string[]; types: string[]; difficulty_levels: string[]; languages: string[]; skills?: string[]; tags?: string[] };
  question_count: number | null;
  duration_minutes: number | null;
  question_time_limit_s: number | null;
  shuffle_questions: boolean;
  shuffle_options: boolean;
  max_attempts: number | null;
  passing_score: number;
  feedback: { mode: string; show_correct_answers: boolean; show_explanations: boolean };
  hints: { allowed: boolean; penalty: number };
  assistant: { mode: string; token_budget?: number | null };
  access: string;
  [other: string]: unknown;
}

const EMPTY: Definition = {
  id: "",
  title: "",
  instructions: "",
  mode: "fixed",
  questions: [],
  pool: { topics: [], types: [], difficulty_levels: [], languages: [] },
  question_count: null,
  duration_minutes: 60,
  question_time_limit_s: null,
  shuffle_questions: false,
  shuffle_options: true,
  max_attempts: 1,
  passing_score: 60,
  feedback: { mode: "after_submission", show_correct_answers: false, show_explanations: false },
  hints: { allowed: false, penalty: 0 },
  assistant: { mode: "off" },
  access: "invited",
};

function csv(value: string): string[] {
  return value.split(",").map((v) => v.trim()).filter(Boolean);
}

function numberOrNull(value: string): number | null {
  return value.trim() === "" ? null : Number(value);
}

function Check({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }): JSX.Element {
  return (
    <label class="check" for={id}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
      {label}
    </label>
  );
}

function QuestionPicker({ chosen, onChange }: { chosen: string[]; onChange: (ids: string[]) => void }): JSX.Element {
  const [q, setQ] = useState("");
  const [search, setSearch] = useState("");
  const found = useAsync(() => get<QuestionPage>("/api/questions", { q: search, limit: 10 }), [search]);
  const added = new Set(chosen);
  const move = (i: number, j: number): void => {
    if (j < 0 || j >= chosen.length) return;
    const next = [...chosen];
    const [item] = next.splice(i, 1);
    if (item !== undefined) next.splice(j, 0, item);
    onChange(next);
  };
  return (
    <fieldset class="picker">
      <legend>Questions, in order</legend>
      {chosen.length ? (
        <ol class="chosen-list">
          {chosen.map((id, i) => (
            <li key={id}>
              <span class="mono">{id}</span>
              <span class="order-buttons">
                <button type="button" class="btn btn-icon" aria-label={`Move ${id} up`} disabled={i === 0} onClick={() => move(i, i - 1)}>↑</button>
                <button type="button" class="btn btn-icon" aria-label={`Move ${id} down`} disabled={i === chosen.length - 1} onClick={() => move(i, i + 1)}>↓</button>
                <button type="button" class="btn btn-icon" aria-label={`Remove ${id}`} onClick={() => onChange(chosen.filter((c) => c !== id))}>✕</button>
              </span>
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted">No question yet: search the bank and add some.</p>
      )}
      <div class="inline-form">
        <label for="picker-q">Search the bank</label>
        <input id="picker-q" type="search" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); setSearch(q); } }} />
        <button type="button" class="btn" onClick={() => setSearch(q)}>Search</button>
      </div>
      <ErrorBox error={found.error} />
      {found.data ? <QuestionTable items={found.data.items} added={added} onAdd={(item) => onChange([...chosen, item.id])} /> : null}
    </fieldset>
  );
}

export function AssessmentBuilderPage({ from }: { from: string | null }): JSX.Element {
  const source = useAsync<AssessmentOut | null>(() => (from ? get<AssessmentOut>(`/api/assessments/${encodeURIComponent(from)}/definition`) : Promise.resolve(null)), [from]);
  const [def, setDef] = useState<Definition>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<AssessmentOut | null>(null);
  const [busy, setBusy] = useState(false);
  const editingDraft = source.data?.status === "draft";

  useEffect(() => {
    if (!source.data) return;
    const loaded = { ...EMPTY, ...(source.data.definition as Partial<Definition>) } as Definition;
    setDef(editingDraft ? loaded : { ...loaded, id: `${loaded.id}-copy`, title: `${loaded.title} (copy)` });
  }, [source.data]);

  const set = <K extends keyof Definition>(key: K, value: Definition[K]): void => setDef({ ...def, [key]: value });

  const save = async (event: Event, publish: boolean): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { ...def };
      if (def.mode === "fixed") {
        body["question_count"] = null;
      } else {
        body["questions"] = [];
      }
      let out = await post<AssessmentOut>("/api/assessments", body);
      if (publish) out = await post<AssessmentOut>(`/api/assessments/${encodeURIComponent(out.id)}/publish`);
      setSaved(out);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (source.loading) return <Loading />;
  return (
    <Page title={editingDraft ? `Edit draft: ${def.title}` : "New assessment"} wide actions={<Link class="btn" href="/author/assessments">All assessments</Link>}>
      <ErrorBox error={source.error} />
      <form class="builder" onSubmit={(e) => void save(e, false)}>
        <div class="grid-2">
          <div>
            <TextField id="def-id" label="Identifier" value={def.id} required onChange={(v) => set("id", v)}
              help="Letters, digits, dots, dashes; it names the assessment in links and exports." />
            <TextField id="def-title" label="Title" value={def.title} required onChange={(v) => set("title", v)} />
            <div class="field">
              <label for="def-instructions">Instructions (Markdown)</label>
              <textarea id="def-instructions" rows={6} value={def.instructions} onInput={(e) => set("instructions", (e.currentTarget as HTMLTextAreaElement).value)} />
            </div>
            {def.instructions ? (
              <div class="card-inner" aria-label="Instructions preview">
                <p class="muted small">Preview</p>
                <Markdown text={def.instructions} />
              </div>
            ) : null}
          </div>
          <div>
            <SelectField id="def-mode" label="Mode" value={def.mode} onChange={(v) => set("mode", v as Definition["mode"])}
              options={[["fixed", "Fixed: the questions you list"], ["random", "Random: drawn from a pool"], ["adaptive", "Adaptive: IRT picks the next question"]]} />
            <div class="grid-2 tight">
              <TextField id="def-duration" label="Duration (minutes)" type="number" value={def.duration_minutes === null ? "" : String(def.duration_minutes)}
                onChange={(v) => set("duration_minutes", numberOrNull(v))} help="Empty for no limit." />
              <TextField id="def-qlimit" label="Per question (seconds)" type="number" value={def.question_time_limit_s === null ? "" : String(def.question_time_limit_s)}
                onChange={(v) => set("question_time_limit_s", numberOrNull(v))} help="Empty for no limit." />
              <TextField id="def-attempts" label="Attempts allowed" type="number" value={def.max_attempts === null ? "" : String(def.max_attempts)}
                onChange={(v) => set("max_attempts", numberOrNull(v))} help="Empty for unlimited." />
              <TextField id="def-pass" label="Passing score (%)" type="number" value={String(def.passing_score)} onChange={(v) => set("passing_score", Number(v))} />
            </div>
            <SelectField id="def-feedback" label="Feedback" value={def.feedback.mode} onChange={(v) => set("feedback", { ...def.feedback, mode: v })}
              options={[["immediate", "After each answer"], ["after_submission", "After submitting"], ["never", "Never"]]} />
            <Check id="def-show-answers" label="Show correct answers" checked={def.feedback.show_correct_answers} onChange={(v) => set("feedback", { ...def.feedback, show_correct_answers: v })} />
            <Check id="def-show-expl" label="Show explanations" checked={def.feedback.show_explanations} onChange={(v) => set("feedback", { ...def.feedback, show_explanations: v })} />
            <Check id="def-hints" label="Allow hints" checked={def.hints.allowed} onChange={(v) => set("hints", { ...def.hints, allowed: v })} />
            {def.hints.allowed ? (
              <TextField id="def-penalty" label="Points off per hint" type="number" value={String(def.hints.penalty)} onChange={(v) => set("hints", { ...def.hints, penalty: Number(v) })} />
            ) : null}
            <SelectField id="def-assistant" label="Assistant" value={def.assistant.mode} onChange={(v) => set("assistant", { ...def.assistant, mode: v })}
              options={[["off", "Off"], ["hints", "Hints only"], ["full", "Full (explain, debug, chat)"]]} />
            <SelectField id="def-access" label="Who may take it" value={def.access} onChange={(v) => set("access", v)}
              options={[["invited", "Invited candidates"], ["public", "Every signed-in user"]]} />
            <Check id="def-shuffle-q" label="Shuffle questions" checked={def.shuffle_questions} onChange={(v) => set("shuffle_questions", v)} />
            <Check id="def-shuffle-o" label="Shuffle options" checked={def.shuffle_options} onChange={(v) => set("shuffle_options", v)} />
          </div>
        </div>
        {def.mode === "fixed" ? (
          <QuestionPicker chosen={def.questions} onChange={(ids) => set("questions", ids)} />
        ) : (
          <fieldset>
            <legend>Question pool</legend>
            <div class="grid-2 tight">
              <TextField id="def-count" label="Questions per attempt" type="number" required value={def.question_count === null ? "" : String(def.question_count)}
                onChange={(v) => set("question_count", numberOrNull(v))} />
              <TextField id="def-topics" label="Topics (comma-separated)" value={def.pool.topics.join(", ")} onChange={(v) => set("pool", { ...def.pool, topics: csv(v) })} />
              <TextField id="def-types" label="Types (comma-separated)" value={def.pool.types.join(", ")} onChange={(v) => set("pool", { ...def.pool, types: csv(v) })}
                help={TYPES.join(", ")} />
              <TextField id="def-levels" label="Difficulties (comma-separated)" value={def.pool.difficulty_levels.join(", ")}
                onChange={(v) => set("pool", { ...def.pool, difficulty_levels: csv(v) })} help="easy, medium, hard" />
              <TextField id="def-langs" label="Languages (comma-separated)" value={def.pool.languages.join(", ")} onChange={(v) => set("pool", { ...def.pool, languages: csv(v) })} />
            </div>
          </fieldset>
        )}
        <ErrorBox error={error} />
        {saved ? (
          <Notice kind="success">
            Saved “{saved.title}” as {saved.status}.{" "}
            <Link href={`/author/assessments/${encodeURIComponent(saved.id)}/invitations`}>Invite candidates</Link>
          </Notice>
        ) : null}
        <div class="actions">
          <button type="submit" class="btn" disabled={busy}>Save draft</button>
          <button type="button" class="btn btn-primary" disabled={busy} onClick={(e) => void save(e, true)}>Save and publish</button>
        </div>
      </form>
    </Page>
  );
}

export function InvitationsPage({ id }: { id: string }): JSX.Element {
  const invitations = useAsync(() => get<{ invitations: InvitationOut[] }>(`/api/assessments/${encodeURIComponent(id)}/invitations`), [id]);
  const [emails, setEmails] = useState("");
  const [expires, setExpires] = useState("");
  const [issued, setIssued] = useState<InvitationOut[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const invite = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { emails: emails.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean) };
      if (expires) body["expires_at"] = new Date(expires).toISOString();
      const out = await post<{ invitations: InvitationOut[] }>(`/api/assessments/${encodeURIComponent(id)}/invitations`, body);
      setIssued(out.invitations);
      setEmails("");
      invitations.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const download = async (): Promise<void> => {
    const text = await request<string>("GET", `/api/assessments/${encodeURIComponent(id)}/invitations`, { query: { format: "csv" }, text: true });
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `invitations-${id}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Page title={`Invitations: ${id}`} wide actions={<button type="button" class="btn" onClick={() => void download()}>Download CSV</button>}>
      <form class="card narrow-form" onSubmit={(e) => void invite(e)} aria-labelledby="invite-title">
        <h2 id="invite-title">Invite candidates</h2>
        <div class="field">
          <label for="invite-emails">Email addresses</label>
          <textarea id="invite-emails" rows={4} required value={emails} aria-describedby="invite-emails-help"
            onInput={(e) => setEmails((e.currentTarget as HTMLTextAreaElement).value)} />
          <p id="invite-emails-help" class="hint-text">One per line, or separated by commas. No mail is sent: pass each link on.</p>
        </div>
        <TextField id="invite-expires" label="Link valid until (optional)" type="datetime-local" value={expires} onChange={setExpires} />
        <ErrorBox error={error} />
        <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? "Inviting…" : "Create links"}</button>
      </form>
      {issued.length ? (
        <section aria-labelledby="issued-title">
          <h2 id="issued-title">New links</h2>
          <p class="muted">Each link works once and is shown only now.</p>
          <ul class="plain links">
            {issued.map((inv) => (
              <li key={inv.id}>
                <strong>{inv.email}</strong>{" "}
                {inv.link ? (
                  <>
                    <code class="link-text">{inv.link}</code> <CopyButton text={inv.link} label="Copy link" description={`Copy the link for ${inv.email}`} />
                  </>
                ) : (
                  <span class="muted">already claimed</span>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="all-invites-title">
        <h2 id="all-invites-title">All invitations</h2>
        {invitations.loading ? <Loading /> : null}
        <ErrorBox error={invitations.error} />
        {invitations.data && !invitations.data.invitations.length ? <p class="muted">Nobody is invited yet.</p> : null}
        {invitations.data?.invitations.length ? (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Invited</th><th scope="col">Expires</th><th scope="col">Claimed</th></tr>
              </thead>
              <tbody>
                {invitations.data.invitations.map((inv) => (
                  <tr key={inv.id}>
                    <td>{inv.email}</td>
                    <td><StatusBadge status={inv.status} /></td>
                    <td>{formatDate(inv.created_at)}</td>
                    <td>{formatDate(inv.expires_at)}</td>
                    <td>{formatDate(inv.claimed_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </Page>
  );
}
