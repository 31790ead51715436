// Practice setup (the paper's dashboard, figure 9): choose topics, difficulty levels, a question type, how
// many questions and how long, then practise with immediate feedback. GET /api/practice/topics says what
// the bank holds; POST /api/practice starts the attempt (starting the same practice again closes the old one).

import type { JSX } from "preact";
import { useMemo, useState } from "preact/hooks";

import { get, post } from "../api";
import { Check, ErrorsProvider, NumberField, SelectField, requestErrors } from "../fields";
import { navigate } from "../router";
import { TYPES, TYPE_LABELS } from "../types";
import { ErrorBox, Loading, Page, useAsync } from "../ui";

const LEVELS = ["easy", "medium", "hard"] as const;
type Level = (typeof LEVELS)[number];

interface TopicCount {
  topic: string;
  total: number;
  by_difficulty: Record<Level, number>;
}

interface PracticeStarted {
  attempt_id: string;
  assessment_id: string;
  questions: number;
}

export function PracticePage(): JSX.Element {
  const [type, setType] = useState("");
  const topics = useAsync(() => get<{ topics: TopicCount[] }>("/api/practice/topics", { type }), [type]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [levels, setLevels] = useState<Level[]>([]);
  const [count, setCount] = useState<number | null>(5);
  const [duration, setDuration] = useState<number | null>(30);
  const [adaptive, setAdaptive] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = useMemo(() => requestErrors(error), [error]);

  const available = (topics.data?.topics ?? [])
    .filter((t) => chosen.includes(t.topic))
    .reduce((sum, t) => sum + (levels.length ? levels.reduce((n, l) => n + (t.by_difficulty[l] ?? 0), 0) : t.total), 0);

  const toggle = <T,>(list: T[], item: T, on: boolean): T[] => (on ? [...list, item] : list.filter((x) => x !== item));

  const start = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { topics: chosen, difficulty_levels: levels, count, adaptive };
      if (type) body["question_type"] = type;
      if (duration) body["duration_minutes"] = duration;
      const started = await post<PracticeStarted>("/api/practice", body);
      navigate(`/attempts/${started.attempt_id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <Page title="Practice">
      <p class="lead">Pick what to work on; every answer is checked at once and hints are free.</p>
      <ErrorsProvider errors={errors}>
        <form class="practice" onSubmit={(e) => void start(e)} noValidate>
          <SelectField id="practice-type" path="question_type" label="Question type" value={type} onChange={(v) => { setType(v); setChosen([]); }}
            options={[["", "Any type"], ...TYPES.map((t): [string, string] => [t, TYPE_LABELS[t]])]} />
          <fieldset>
            <legend>Topics</legend>
            {topics.loading ? <Loading /> : null}
            <ErrorBox error={topics.error} onRetry={topics.reload} />
            {topics.data && !topics.data.topics.length ? <p class="muted">The bank has no questions of this type yet.</p> : null}
            <ul class="topic-grid">
              {(topics.data?.topics ?? []).map((t) => (
                <li key={t.topic}>
                  <Check id={`topic-${t.topic}`} label={`${t.topic} (${t.total})`} checked={chosen.includes(t.topic)}
                    onChange={(on) => setChosen(toggle(chosen, t.topic, on))} />
                </li>
              ))}
            </ul>
            {errors.get("topics") ? <p class="field-error" role="alert">{errors.get("topics")?.join("; ")}</p> : null}
          </fieldset>
          <fieldset>
            <legend>Difficulty levels</legend>
            <div class="checks-inline">
              {LEVELS.map((level) => (
                <Check key={level} id={`level-${level}`} label={level} checked={levels.includes(level)}
                  onChange={(on) => setLevels(toggle(levels, level, on))} />
              ))}
            </div>
            <p class="hint-text">None ticked: every level.</p>
          </fieldset>
          <div class="grid-2 tight">
            <NumberField id="practice-count" path="count" label="Number of questions" min="1" value={count} onChange={setCount}
              help={chosen.length ? `${available} ${available === 1 ? "question matches" : "questions match"} your choice.` : undefined} />
            <NumberField id="practice-duration" path="duration_minutes" label="Duration (minutes)" min="1" value={duration} onChange={setDuration}
              help="Empty for no time limit." />
          </div>
          <Check id="practice-adaptive" label="Adaptive: the next question follows how you are doing" checked={adaptive} onChange={setAdaptive} />
          {errors.size ? null : <ErrorBox error={error} />}
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy || !chosen.length}>
              {busy ? "Starting…" : "Start practising"}
            </button>
          </div>
        </form>
      </ErrorsProvider>
    </Page>
  );
}
