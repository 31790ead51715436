// The assessment builder: every part of an assessment definition (src/codesensei/sessions/definition.py) as
// a form — questions or a pool, dates, timing and attempts, accommodations, adaptive rules, feedback, hints
// and the assistant. Saving sends the definition; the server's validation errors appear by their fields.

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";

import { get, parseTime, post } from "../api";
import { Check, ErrorsProvider, FieldMessages, ListField, NumberField, RowList, SelectField, TextArea, TextField, fieldId, requestErrors, useFieldErrors } from "../fields";
import { Markdown } from "../markdown";
import { Link } from "../router";
import { type AssessmentOut, type QuestionPage, TYPES } from "../types";
import { ErrorBox, Loading, Notice, Page, useAsync } from "../ui";
import { QuestionTable } from "./author";

interface Adaptive {
  min_items: number;
  se_threshold: number | null;
  estimator: string;
  exposure: string;
  top_k: number;
  topic_targets: Record<string, number>;
}

interface Definition {
  id: string;
  title: string;
  instructions: string;
  mode: "fixed" | "random" | "adaptive";
  questions: string[];
  pool: { topics: string[]; skills: string[]; tags: string[]; types: string[]; difficulty_levels: string[]; languages: string[] };
  question_count: number | null;
  duration_minutes: number | null;
  question_time_limit_s: number | null;
  shuffle_questions: boolean;
  shuffle_options: boolean;
  max_attempts: number | null;
  cooldown_minutes: number;
  passing_score: number;
  feedback: { mode: string; show_correct_answers: boolean; show_explanations: boolean };
  hints: { allowed: boolean; penalty: number };
  assistant: { mode: string; token_budget: number | null };
  opens_at: string | null;
  closes_at: string | null;
  proctoring: string;
  access: string;
  accommodations: Record<string, { extra_time_multiplier: number }>;
  adaptive: Adaptive;
  token_ttl_hours: number;
}

const EMPTY: Definition = {
  id: "",
  title: "",
  instructions: "",
  mode: "fixed",
  questions: [],
  pool: { topics: [], skills: [], tags: [], types: [], difficulty_levels: [], languages: [] },
  question_count: null,
  duration_minutes: 60,
  question_time_limit_s: null,
  shuffle_questions: false,
  shuffle_options: true,
  max_attempts: 1,
  cooldown_minutes: 0,
  passing_score: 60,
  feedback: { mode: "after_submission", show_correct_answers: false, show_explanations: false },
  hints: { allowed: false, penalty: 0 },
  assistant: { mode: "off", token_budget: null },
  opens_at: null,
  closes_at: null,
  proctoring: "none",
  access: "invited",
  accommodations: {},
  adaptive: { min_items: 0, se_threshold: null, estimator: "eap", exposure: "randomesque", top_k: 3, topic_targets: {} },
  token_ttl_hours: 24,
};

/** A loaded definition over the defaults, nested parts merged one level deep. */
function withDefaults(loaded: Partial<Definition>): Definition {
  return {
    ...EMPTY, ...loaded,
    pool: { ...EMPTY.pool, ...loaded.pool },
    feedback: { ...EMPTY.feedback, ...loaded.feedback },
    hints: { ...EMPTY.hints, ...loaded.hints },
    assistant: { ...EMPTY.assistant, ...loaded.assistant },
    adaptive: { ...EMPTY.adaptive, ...loaded.adaptive },
  };
}

/** A UTC instant as the `datetime-local` input shows it: this browser's local time, to the minute. */
function toLocalInput(value: string | null): string {
  if (!value) return "";
  const date = parseTime(value);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}

function QuestionPicker({ chosen, onChange }: { chosen: string[]; onChange: (ids: string[]) => void }): JSX.Element {
  const [q, setQ] = useState("");
  const [search, setSearch] = useState("");
  const found = useAsync(() => get<QuestionPage>("/api/questions", { q: search, limit: 10 }), [search]);
  const added = new Set(chosen);
  const questionErrors = useFieldErrors("questions");
  return (
    <fieldset class="picker">
      <legend>Questions, in order</legend>
      {chosen.length ? (
        <RowList legend="Chosen questions" noun="question" ordered items={chosen} onChange={onChange} make={() => ""}
          render={(id) => <span class="mono">{id}</span>} addable={false} />
      ) : (
        <p class="muted">No question yet: search the bank and add some.</p>
      )}
      <FieldMessages id={`${fieldId("questions")}-error`} messages={questionErrors} />
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

type Accommodation = { user: string; multiplier: number };
type Target = { topic: string; share: number };

export function AssessmentBuilderPage({ from }: { from: string | null }): JSX.Element {
  const source = useAsync<AssessmentOut | null>(() => (from ? get<AssessmentOut>(`/api/assessments/${encodeURIComponent(from)}/definition`) : Promise.resolve(null)), [from]);
  const [def, setDef] = useState<Definition>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<AssessmentOut | null>(null);
  const [busy, setBusy] = useState(false);
  const editingDraft = source.data?.status === "draft";
  const fieldErrors = useMemo(() => requestErrors(error), [error]);

  useEffect(() => {
    if (!source.data) return;
    const loaded = withDefaults(source.data.definition as Partial<Definition>);
    setDef(editingDraft ? loaded : { ...loaded, id: `${loaded.id}-copy`, title: `${loaded.title} (copy)` });
    setAccommodations(Object.entries(loaded.accommodations).map(([user, a]) => ({ user, multiplier: a.extra_time_multiplier })));
    setTargets(Object.entries(loaded.adaptive.topic_targets).map(([topic, share]) => ({ topic, share })));
  }, [source.data]);

  const set = <K extends keyof Definition>(key: K, value: Definition[K]): void => setDef((d) => ({ ...d, [key]: value }));
  // The rows keep what is typed (two rows may be empty at once); the definition holds them as maps.
  const [accommodations, setAccommodations] = useState<Accommodation[]>([]);
  const [targets, setTargets] = useState<Target[]>([]);
  const changeAccommodations = (rows: Accommodation[]): void => {
    setAccommodations(rows);
    set("accommodations", Object.fromEntries(rows.map((r) => [r.user, { extra_time_multiplier: r.multiplier }])));
  };
  const changeTargets = (rows: Target[]): void => {
    setTargets(rows);
    set("adaptive", { ...def.adaptive, topic_targets: Object.fromEntries(rows.map((r) => [r.topic, r.share])) });
  };

  const save = async (event: Event, publish: boolean): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const body: Record<string, unknown> = { ...def };
      if (def.mode === "fixed") body["question_count"] = null;
      else body["questions"] = [];
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
  const adaptive = def.adaptive;
  const setAdaptive = (changes: Partial<Adaptive>): void => set("adaptive", { ...adaptive, ...changes });
  return (
    <Page title={editingDraft ? `Edit draft: ${def.title}` : "New assessment"} wide actions={<Link class="btn" href="/author/assessments">All assessments</Link>}>
      <ErrorBox error={source.error} />
      <ErrorsProvider errors={fieldErrors}>
        <form class="builder" onSubmit={(e) => void save(e, false)} noValidate>
          <div class="grid-2">
            <fieldset>
              <legend>About</legend>
              <TextField id="def-id" path="id" label="Identifier" value={def.id} required onChange={(v) => set("id", v)}
                help="Letters, digits, dots, dashes; it names the assessment in links and exports." />
              <TextField id="def-title" path="title" label="Title" value={def.title} required onChange={(v) => set("title", v)} />
              <TextArea id="def-instructions" path="instructions" label="Instructions (Markdown)" rows={5} value={def.instructions}
                onChange={(v) => set("instructions", v)} />
              {def.instructions ? (
                <div class="card-inner" role="region" aria-label="Instructions preview">
                  <p class="muted small">Preview</p>
                  <Markdown text={def.instructions} />
                </div>
              ) : null}
              <SelectField id="def-mode" path="mode" label="Mode" value={def.mode} onChange={(v) => set("mode", v as Definition["mode"])}
                options={[["fixed", "Fixed: the questions you list"], ["random", "Random: drawn from a pool"], ["adaptive", "Adaptive: IRT picks the next question"]]} />
              <SelectField id="def-access" path="access" label="Who may take it" value={def.access} onChange={(v) => set("access", v)}
                options={[["invited", "Invited candidates"], ["public", "Every signed-in user"]]} />
              <SelectField id="def-proctoring" path="proctoring" label="Proctoring" value={def.proctoring} onChange={(v) => set("proctoring", v)}
                options={[["none", "None"], ["basic", "Basic (focus and paste events)"], ["strict", "Strict"]]} />
              <Check id="def-shuffle-q" label="Shuffle questions" checked={def.shuffle_questions} onChange={(v) => set("shuffle_questions", v)} />
              <Check id="def-shuffle-o" label="Shuffle options" checked={def.shuffle_options} onChange={(v) => set("shuffle_options", v)} />
            </fieldset>
            <fieldset>
              <legend>Dates, time and attempts</legend>
              <div class="grid-2 tight">
                <TextField id="def-opens" path="opens_at" label="Opens at (your time)" type="datetime-local" value={toLocalInput(def.opens_at)}
                  onChange={(v) => set("opens_at", fromLocalInput(v))} help="Empty: open once published." />
                <TextField id="def-closes" path="closes_at" label="Closes at (your time)" type="datetime-local" value={toLocalInput(def.closes_at)}
                  onChange={(v) => set("closes_at", fromLocalInput(v))} help="Empty: never closes." />
                <NumberField id="def-duration" path="duration_minutes" label="Duration (minutes)" step="any" min="0" value={def.duration_minutes}
                  onChange={(v) => set("duration_minutes", v)} help="Empty for no limit." />
                <NumberField id="def-qlimit" path="question_time_limit_s" label="Per question (seconds)" step="any" min="0" value={def.question_time_limit_s}
                  onChange={(v) => set("question_time_limit_s", v)} help="Empty for no limit." />
                <NumberField id="def-attempts" path="max_attempts" label="Attempts allowed" min="1" value={def.max_attempts}
                  onChange={(v) => set("max_attempts", v)} help="Empty for unlimited." />
                <NumberField id="def-cooldown" path="cooldown_minutes" label="Wait between attempts (minutes)" step="any" min="0" value={def.cooldown_minutes}
                  onChange={(v) => set("cooldown_minutes", v ?? 0)} />
                <NumberField id="def-pass" path="passing_score" label="Passing score (%)" step="any" min="0" value={def.passing_score}
                  onChange={(v) => set("passing_score", v ?? 0)} />
                <NumberField id="def-ttl" path="token_ttl_hours" label="Resume link valid (hours)" step="any" min="0" value={def.token_ttl_hours}
                  onChange={(v) => set("token_ttl_hours", v ?? 24)} />
              </div>
              <RowList legend="Accommodations: extra time" noun="accommodation" path="accommodations" items={accommodations}
                help="The candidate's email and a multiplier of every time limit (1.5 = half as much time again)."
                make={() => ({ user: "", multiplier: 1.5 })}
                onChange={changeAccommodations}
                render={(row, i, update) => (
                  <div class="grid-2 tight">
                    <TextField id={`def-acc-user-${i}`} path={`accommodations.${row.user}`} label={`Candidate ${i + 1} email`} type="email" value={row.user}
                      onChange={(v) => update({ ...row, user: v })} />
                    <NumberField id={`def-acc-mult-${i}`} path={`accommodations.${row.user}.extra_time_multiplier`} label="Time multiplier" step="0.05" min="1"
                      value={row.multiplier} onChange={(v) => update({ ...row, multiplier: v ?? 1 })} />
                  </div>
                )} />
            </fieldset>
          </div>

          {def.mode === "fixed" ? (
            <QuestionPicker chosen={def.questions} onChange={(ids) => set("questions", ids)} />
          ) : (
            <fieldset>
              <legend>Question pool</legend>
              <div class="grid-3 tight">
                <NumberField id="def-count" path="question_count" label={def.mode === "adaptive" ? "Most questions per attempt" : "Questions per attempt"} min="1"
                  value={def.question_count} onChange={(v) => set("question_count", v)} />
                <ListField id="def-topics" path="pool.topics" label="Topics (comma-separated)" value={def.pool.topics} onChange={(v) => set("pool", { ...def.pool, topics: v })} />
                <ListField id="def-types" path="pool.types" label="Types (comma-separated)" value={def.pool.types} onChange={(v) => set("pool", { ...def.pool, types: v })}
                  help={TYPES.join(", ")} />
                <ListField id="def-levels" path="pool.difficulty_levels" label="Difficulties (comma-separated)" value={def.pool.difficulty_levels}
                  onChange={(v) => set("pool", { ...def.pool, difficulty_levels: v })} help="easy, medium, hard" />
                <ListField id="def-langs" path="pool.languages" label="Languages (comma-separated)" value={def.pool.languages} onChange={(v) => set("pool", { ...def.pool, languages: v })} />
                <ListField id="def-skills" path="pool.skills" label="Skills (comma-separated)" value={def.pool.skills} onChange={(v) => set("pool", { ...def.pool, skills: v })} />
              </div>
            </fieldset>
          )}

          {def.mode === "adaptive" ? (
            <fieldset>
              <legend>Adaptive rules</legend>
              <div class="grid-3 tight">
                <NumberField id="def-min-items" path="adaptive.min_items" label="Fewest questions before stopping" min="0" value={adaptive.min_items}
                  onChange={(v) => setAdaptive({ min_items: v ?? 0 })} />
                <NumberField id="def-se" path="adaptive.se_threshold" label="Stop when the ability's standard error is below" step="0.01" min="0"
                  value={adaptive.se_threshold} onChange={(v) => setAdaptive({ se_threshold: v })} help="Empty: ask the most questions." />
                <SelectField id="def-estimator" path="adaptive.estimator" label="Ability estimator" value={adaptive.estimator}
                  options={[["eap", "EAP (expected a posteriori)"], ["map", "MAP (maximum a posteriori)"], ["mle", "Maximum likelihood"]]}
                  onChange={(v) => setAdaptive({ estimator: v })} />
                <SelectField id="def-exposure" path="adaptive.exposure" label="Exposure control" value={adaptive.exposure}
                  options={[["randomesque", "Randomesque (one of the best few)"], ["random", "Random"], ["none", "None (always the best)"]]}
                  onChange={(v) => setAdaptive({ exposure: v })} />
                <NumberField id="def-top-k" path="adaptive.top_k" label="Best few to choose from" min="1" value={adaptive.top_k}
                  onChange={(v) => setAdaptive({ top_k: v ?? 1 })} />
              </div>
              <RowList legend="Content balancing: share of questions per topic" noun="topic target" path="adaptive.topic_targets" items={targets}
                make={() => ({ topic: "", share: 0.5 })}
                onChange={changeTargets}
                render={(row, i, update) => (
                  <div class="grid-2 tight">
                    <TextField id={`def-target-topic-${i}`} path={`adaptive.topic_targets.${row.topic}`} label={`Topic ${i + 1}`} value={row.topic}
                      onChange={(v) => update({ ...row, topic: v })} />
                    <NumberField id={`def-target-share-${i}`} label="Share (0 to 1)" step="0.05" min="0" value={row.share}
                      onChange={(v) => update({ ...row, share: v ?? 0 })} />
                  </div>
                )} />
            </fieldset>
          ) : null}

          <fieldset>
            <legend>Feedback, hints and the assistant</legend>
            <div class="grid-3 tight">
              <SelectField id="def-feedback" path="feedback.mode" label="Feedback" value={def.feedback.mode} onChange={(v) => set("feedback", { ...def.feedback, mode: v })}
                options={[["immediate", "After each answer"], ["after_submission", "After submitting"], ["never", "Never"]]} />
              <SelectField id="def-assistant" path="assistant.mode" label="Assistant" value={def.assistant.mode} onChange={(v) => set("assistant", { ...def.assistant, mode: v })}
                options={[["off", "Off"], ["hints", "Hints only"], ["full", "Full (explain, debug, chat)"]]} />
              {def.assistant.mode !== "off" ? (
                <NumberField id="def-budget" path="assistant.token_budget" label="Assistant tokens per attempt" min="0" value={def.assistant.token_budget}
                  onChange={(v) => set("assistant", { ...def.assistant, token_budget: v })} help="Empty: the server's default." />
              ) : null}
            </div>
            <Check id="def-show-answers" label="Show correct answers" checked={def.feedback.show_correct_answers} onChange={(v) => set("feedback", { ...def.feedback, show_correct_answers: v })} />
            <Check id="def-show-expl" label="Show explanations" checked={def.feedback.show_explanations} onChange={(v) => set("feedback", { ...def.feedback, show_explanations: v })} />
            <Check id="def-hints" label="Allow hints" checked={def.hints.allowed} onChange={(v) => set("hints", { ...def.hints, allowed: v })} />
            {def.hints.allowed ? (
              <NumberField id="def-penalty" path="hints.penalty" label="Points off per hint" step="any" min="0" value={def.hints.penalty}
                onChange={(v) => set("hints", { ...def.hints, penalty: v ?? 0 })} />
            ) : null}
          </fieldset>

          {fieldErrors.size ? (
            <p class="alert alert-error" role="alert">The definition was refused: the problems are shown by their fields.</p>
          ) : (
            <ErrorBox error={error} />
          )}
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
      </ErrorsProvider>
    </Page>
  );
}
