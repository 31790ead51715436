// Taking an attempt: the problem pane, the answer (editor or controls), Run and Submit, the output window,
// skip, timer, progress, hints and the assistant. Work is saved in this browser as it changes; answers
// reach the server only on Submit answer.

import type { JSX } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";

import { ApiError, get, post } from "../api";
import { AnswerControl, type AnswerValue, fits, initialValue, toAnswer } from "../answers";
import { type CodeDraft, type Notes, clearAttempt, clearDraft, loadDraft, loadNotes, saveDraft, saveNotes } from "../drafts";
import { CodeEditor, languageName } from "../editor";
import { Markdown } from "../markdown";
import { Link, navigate } from "../router";
import { AttemptSocket, type JobEvent, type SocketState } from "../socket";
import { AssistantPanel } from "./assistant";
import type {
  AnswerAck,
  AssessmentBrief,
  RevealedHints,
  CurrentQuestionOut,
  HintOut,
  JudgeReport,
  QuestionView,
  ResumeOut,
  ReviewOut,
  SampleTest,
  TestRun,
  TimeOut,
} from "../types";
import {
  ConfirmDialog,
  DifficultyBadge,
  ErrorBox,
  Loading,
  formatClock,
  formatKb,
  formatMs,
  formatPoints,
  showValue,
} from "../ui";

const TYPE_NAMES: Record<string, string> = {
  mcq: "Multiple choice",
  mcq_multi: "Multiple answers",
  true_false: "True or false",
  short_answer: "Short answer",
  code: "Programming",
  matching: "Matching",
  ordering: "Ordering",
  fill_blank: "Fill in the blanks",
  essay: "Essay",
};

interface Position {
  position: number | null;
  total: number;
  question: QuestionView | null;
  remainingS: number | null;
  questionRemainingS?: number | null;
  status: string;
  stopReason: string | null;
}

function fromResume(r: ResumeOut): Position {
  return {
    position: r.position, total: r.total, question: r.question, remainingS: r.remaining_s,
    questionRemainingS: r.question_remaining_s, status: r.status, stopReason: r.stop_reason,
  };
}

function fromCurrent(c: CurrentQuestionOut): Position {
  return {
    position: c.position, total: c.total, question: c.question, remainingS: c.remaining_s, status: c.status,
    stopReason: c.stop_reason,
    // Older servers leave the per-question clock out (undefined): `show` then reads it from /time.
    ...(c.question_remaining_s === undefined ? {} : { questionRemainingS: c.question_remaining_s }),
  };
}

/** A countdown from the server's remaining seconds, measured on this browser's monotonic clock. */
function useCountdown(remainingS: number | null | undefined, onZero: () => void): number | null {
  const [left, setLeft] = useState<number | null>(remainingS ?? null);
  const zero = useRef(onZero);
  zero.current = onZero;
  useEffect(() => {
    if (remainingS === null || remainingS === undefined) {
      setLeft(null);
      return undefined;
    }
    const end = performance.now() + remainingS * 1000;
    let fired = false;
    const tick = (): void => {
      const seconds = Math.max(0, (end - performance.now()) / 1000);
      setLeft(seconds);
      if (seconds <= 0 && !fired) {
        fired = true;
        zero.current();
      }
    };
    tick();
    const timer = window.setInterval(tick, 500);
    return () => window.clearInterval(timer);
  }, [remainingS]);
  return left;
}

function Timer({ seconds, label }: { seconds: number | null; label: string }): JSX.Element | null {
  const [announce, setAnnounce] = useState("");
  const lastMark = useRef<number | null>(null);
  useEffect(() => {
    if (seconds === null) return;
    for (const mark of [300, 60]) {
      if (seconds <= mark && seconds > mark - 2 && lastMark.current !== mark) {
        lastMark.current = mark;
        setAnnounce(`${mark / 60} ${mark === 60 ? "minute" : "minutes"} left.`);
      }
    }
  }, [seconds]);
  if (seconds === null) return null;
  const urgent = seconds <= 60 ? "urgent" : seconds <= 300 ? "low" : "";
  return (
    <div class={`timer ${urgent}`}>
      <span class="timer-label">{label}</span>
      <span class="timer-value" role="timer" aria-label={`${label}: ${formatClock(seconds)}`}>
        {formatClock(seconds)}
      </span>
      <span class="sr-only" aria-live="assertive">
        {announce}
      </span>
    </div>
  );
}

function ProgressBar({ answered, total, position }: { answered: number; total: number; position: number | null }): JSX.Element {
  const percent = total ? Math.round((answered / total) * 100) : 0;
  return (
    <div class="progress-block">
      <span class="progress-text">
        {position ? `Question ${position} of ${total}` : `${total} questions`} · {answered} answered
      </span>
      <div
        class="progress"
        role="progressbar"
        aria-label="Questions answered"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={answered}
        aria-valuetext={`${answered} of ${total} answered`}
      >
        <div class="progress-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

function SampleTests({ tests }: { tests: SampleTest[] }): JSX.Element | null {
  if (!tests.length) return null;
  return (
    <section class="samples" aria-labelledby="samples-title">
      <h3 id="samples-title">Sample tests</h3>
      {tests.map((test) => (
        <div class="sample" key={test.name}>
          <div class="sample-name">{test.name}</div>
          <dl class="io">
            {test.args ? (
              <>
                <dt>Arguments</dt>
                <dd><code>{test.args.map((a) => JSON.stringify(a)).join(", ")}</code></dd>
              </>
            ) : null}
            {test.input !== null && test.input !== undefined ? (
              <>
                <dt>Input</dt>
                <dd><pre>{test.input}</pre></dd>
              </>
            ) : null}
            <dt>Expected</dt>
            <dd>{typeof test.expected === "string" ? <pre>{test.expected}</pre> : <code>{JSON.stringify(test.expected)}</code>}</dd>
          </dl>
        </div>
      ))}
    </section>
  );
}

export function ProblemPane({ question, position }: { question: QuestionView; position: number | null }): JSX.Element {
  return (
    <article class="problem" aria-labelledby="problem-title">
      <header class="problem-head">
        <p class="eyebrow">
          {position ? `Question ${position}` : "Question"} · {TYPE_NAMES[question.type] ?? question.type} ·{" "}
          {formatPoints(question.points)} {question.points === 1 ? "point" : "points"}
        </p>
        <h2 id="problem-title">{question.title}</h2>
        <div class="tags">
          <DifficultyBadge difficulty={question.difficulty} />
          {(question.topics ?? []).map((topic) => (
            <span class="tag" key={topic}>{topic}</span>
          ))}
        </div>
      </header>
      {question.type === "fill_blank" ? null : <Markdown text={question.text} class="problem-text" />}
      {question.type === "code" ? (
        <>
          {question.limits ? (
            <p class="muted small">
              Limits: {question.limits.time_s} s CPU time, {question.limits.memory_mb} MB memory
              {question.entry_point ? <> · implement <code>{question.entry_point}</code></> : null}
            </p>
          ) : null}
          <SampleTests tests={question.sample_tests ?? []} />
        </>
      ) : null}
    </article>
  );
}

const VERDICT_NAMES: Record<string, string> = {
  accepted: "Passed",
  wrong_answer: "Wrong answer",
  time_limit_exceeded: "Time limit exceeded",
  memory_limit_exceeded: "Memory limit exceeded",
  runtime_error: "Runtime error",
  output_limit_exceeded: "Output limit exceeded",
  compile_error: "Compile error",
  internal_error: "Internal error",
};

function Verdict({ verdict }: { verdict: string }): JSX.Element {
  return <span class={`verdict verdict-${verdict === "accepted" ? "ok" : "bad"}`}>{VERDICT_NAMES[verdict] ?? verdict}</span>;
}

function TestRow({ test, sample }: { test: TestRun; sample: SampleTest | undefined }): JSX.Element {
  const visible = test.visibility === "sample";
  const expected = test.expected ?? (sample ? showValue(sample.expected) : null);
  if (!test.verdict) {
    return (
      <li class="test-row">
        <div class="test-summary">
          <span class="test-name">{test.name}</span>
          <span class="muted small">finished</span>
        </div>
      </li>
    );
  }
  return (
    <li class={`test-row ${test.verdict === "accepted" ? "pass" : "fail"}`}>
      <div class="test-summary">
        <span class="test-name">{test.name}</span>
        <Verdict verdict={test.verdict} />
        <span class="test-metric" title="CPU time">{formatMs(test.time_ms)}</span>
        <span class="test-metric" title="Peak memory">{formatKb(test.memory_kb)}</span>
        {visible ? null : <span class="muted small">hidden test</span>}
      </div>
      {test.message ? <p class="test-message">{test.message}</p> : null}
      {visible && (sample || test.expected !== undefined || test.stdout) ? (
        <dl class="io io-compare">
          {sample?.args ? (
            <>
              <dt>Arguments</dt>
              <dd><code>{sample.args.map((a) => JSON.stringify(a)).join(", ")}</code></dd>
            </>
          ) : null}
          {sample?.input ? (
            <>
              <dt>Input</dt>
              <dd><pre>{sample.input}</pre></dd>
            </>
          ) : null}
          {expected !== null && expected !== "" ? (
            <>
              <dt>Expected</dt>
              <dd><pre>{expected}</pre></dd>
            </>
          ) : null}
          <dt>{expected !== null && expected !== "" ? "Actual" : "Output"}</dt>
          <dd><pre>{test.stdout ?? ""}</pre></dd>
          {test.stderr ? (
            <>
              <dt>Error output</dt>
              <dd><pre class="stderr">{test.stderr}</pre></dd>
            </>
          ) : null}
          {test.diff ? (
            <>
              <dt>Difference</dt>
              <dd><pre>{test.diff}</pre></dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </li>
  );
}

/** What the output window shows: a run or a submit, filled in as its events arrive. */
interface Output {
  kind: "run" | "custom" | "submit";
  running: boolean;
  tests: TestRun[];
  compiled?: { ok: boolean; output: string; message: string };
  report?: JudgeReport | null;
  ack?: AnswerAck;
  error?: unknown;
}

function applyEvent(output: Output, event: JobEvent): Output {
  switch (event.type) {
    case "compiled":
      return { ...output, compiled: { ok: event.ok, output: event.compile_output, message: event.message } };
    case "test":
      return { ...output, tests: [...output.tests, event.result] };
    case "done":
      return { ...output, running: false, report: event.report ?? null, ack: event.ack ?? output.ack,
        tests: event.report?.tests.length ? event.report.tests : output.tests };
    case "error":
      return { ...output, running: false, error: new ApiError(0, event.code, event.message) };
    default:
      return output;
  }
}

function OutputWindow(props: {
  output: Output | null;
  busy: string | null;
  samples: SampleTest[];
  customInput: string;
  onCustomInput: (value: string) => void;
  onRunCustom: (() => void) | null;
  inputHelp: string;
}): JSX.Element {
  const { output, busy } = props;
  const byName = new Map(props.samples.map((s) => [s.name, s]));
  let body: JSX.Element;
  if (!output) {
    body = busy ? <Loading label={busy} /> : (
      <p class="muted">
        {props.onRunCustom ? "Run your code to see each sample test's verdict, time and memory here." : "Submit your answer to have it graded."}
      </p>
    );
  } else {
    const report = output.report;
    const feedback = output.ack?.feedback ?? null;
    const what = output.kind === "submit" ? "tests" : output.kind === "custom" ? "run on your input" : "sample tests";
    body = (
      <div>
        {output.running ? (
          <Loading label={`${output.kind === "submit" ? "Grading on every test" : "Running"}… ${output.tests.length} finished`} />
        ) : null}
        {output.kind === "submit" && output.ack ? (
          <p class="output-headline">Answer recorded{feedback ? "." : " — results come after you finish."}</p>
        ) : null}
        {report && output.kind !== "custom" ? (
          <p class="output-headline">
            <Verdict verdict={report.verdict} /> {report.passed} of {report.total} {what} passed · {formatMs(report.time_ms)} · {formatKb(report.memory_kb)}
          </p>
        ) : null}
        {feedback ? <FeedbackBox feedback={feedback} /> : null}
        {output.error ? <ErrorBox error={output.error} /> : null}
        {report?.message ? <p class="test-message">{report.message}</p> : null}
        {output.compiled && !output.compiled.ok ? (
          <>
            <h4>Compiler output</h4>
            <pre class="stderr">{output.compiled.output || output.compiled.message}</pre>
          </>
        ) : null}
        {report?.compile_output && !output.compiled ? (
          <>
            <h4>Compiler output</h4>
            <pre class="stderr">{report.compile_output}</pre>
          </>
        ) : null}
        {output.tests.length ? (
          <ul class="tests">
            {output.tests.map((test) => (
              <TestRow key={test.name} test={test} sample={byName.get(test.name)} />
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  return (
    <section class="output" aria-labelledby="output-title">
      <h3 id="output-title">Output</h3>
      <div class="output-body" aria-live="polite" aria-busy={output?.running || busy ? "true" : "false"}>
        {body}
      </div>
      {props.onRunCustom ? (
        <details class="custom-input">
          <summary>Try your own input</summary>
          <div class="field">
            <label for="custom-input">Input</label>
            <textarea id="custom-input" rows={3} class="mono" value={props.customInput} aria-describedby="custom-input-help"
              onInput={(e) => props.onCustomInput((e.currentTarget as HTMLTextAreaElement).value)} />
            <p id="custom-input-help" class="hint-text">{props.inputHelp}</p>
          </div>
          <button type="button" class="btn btn-small" disabled={!!busy || !!output?.running} onClick={props.onRunCustom}>
            Run on this input
          </button>
        </details>
      ) : null}
    </section>
  );
}

function FeedbackBox({ feedback }: { feedback: NonNullable<AnswerAck["feedback"]> }): JSX.Element {
  const state = feedback.needs_review ? "review" : feedback.correct ? "correct" : "incorrect";
  return (
    <div class={`feedback feedback-${state}`}>
      <p class="feedback-title">
        {feedback.needs_review ? "Waiting for a reviewer" : feedback.correct ? "Correct" : "Not quite"} ·{" "}
        {formatPoints(feedback.points_earned)} / {formatPoints(feedback.points_possible)} points
      </p>
      {feedback.message ? <p>{feedback.message}</p> : null}
      {feedback.correct_answer !== undefined && feedback.correct_answer !== null ? (
        <p>
          Correct answer: <code>{showValue(feedback.correct_answer)}</code>
        </p>
      ) : null}
      {feedback.explanation ? <Markdown text={feedback.explanation} /> : null}
    </div>
  );
}

function HintList({ hints }: { hints: Notes["hints"] }): JSX.Element | null {
  if (!hints.length) return null;
  return (
    <section class="hints" aria-labelledby="hints-title">
      <h3 id="hints-title">Hints</h3>
      <ol>
        {hints.map((hint) => (
          <li key={hint.number}>
            <Markdown text={hint.text} />
            {hint.penalty ? <p class="muted small">−{formatPoints(hint.penalty)} points</p> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Navigator(props: { review: ReviewOut | null; current: number | null; canSkip: boolean; onGo: (position: number) => void }): JSX.Element | null {
  if (!props.review) return null;
  return (
    <nav class="navigator" aria-label="Questions">
      <ol>
        {props.review.questions.map((entry) => {
          const current = entry.position === props.current;
          const open = (entry.status === "pending" || entry.status === "skipped") && !current && props.canSkip;
          const state = current ? "current" : entry.status === "pending" ? "not answered yet" : entry.status.replace(/_/g, " ");
          const label = `Question ${entry.position}: ${state}`;
          return (
            <li key={entry.position}>
              {open ? (
                <button type="button" class={`nav-dot status-${entry.status}`} aria-label={`Go to ${label}`} onClick={() => props.onGo(entry.position)}>
                  {entry.position}
                </button>
              ) : (
                <span class={`nav-dot status-${current ? "current" : entry.status}`} aria-current={current ? "step" : undefined} aria-label={label} role="img">
                  {entry.position}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

function CodeAnswer(props: {
  question: QuestionView;
  draft: CodeDraft;
  onChange: (draft: CodeDraft) => void;
  canRun: boolean;
  onRun: () => void;
  disabled: boolean;
}): JSX.Element {
  const { question, draft } = props;
  const languages = question.languages ?? [];
  const source = draft.sources[draft.language] ?? question.starter?.[draft.language] ?? "";
  const [docKey, setDocKey] = useState(0);
  const [confirmReset, setConfirmReset] = useState(false);
  const switchTo = (language: string): void => {
    const sources = { ...draft.sources };
    if (sources[language] === undefined) sources[language] = question.starter?.[language] ?? "";
    props.onChange({ language, sources });
    setDocKey((k) => k + 1);
  };
  return (
    <div class="code-answer">
      <div class="toolbar" role="toolbar" aria-label="Editor">
        <div class="segmented" role="group" aria-label="Language">
          {languages.map((language) => (
            <button
              type="button"
              key={language}
              class={`seg ${language === draft.language ? "active" : ""}`}
              aria-pressed={language === draft.language}
              onClick={() => switchTo(language)}
            >
              {languageName(language)}
            </button>
          ))}
        </div>
        <button type="button" class="btn btn-small" onClick={() => setConfirmReset(true)}>
          Reset to starter code
        </button>
      </div>
      <CodeEditor
        key={question.question_id}
        value={source}
        language={draft.language}
        docKey={`${question.question_id}:${draft.language}:${docKey}`}
        label={`Code editor, ${languageName(draft.language)}. Press Escape then Tab to leave the editor.`}
        onChange={(text) => props.onChange({ ...draft, sources: { ...draft.sources, [draft.language]: text } })}
        onRun={props.canRun ? props.onRun : undefined}
        minHeight="320px"
      />
      <p class="hint-text">
        Tab indents; press Escape then Tab to move on.{props.canRun ? " Ctrl+Enter runs the sample tests." : ""}
      </p>
      <ConfirmDialog
        open={confirmReset}
        title="Reset to the starter code?"
        confirmLabel="Reset"
        onCancel={() => setConfirmReset(false)}
        onConfirm={() => {
          setConfirmReset(false);
          props.onChange({ ...draft, sources: { ...draft.sources, [draft.language]: question.starter?.[draft.language] ?? "" } });
          setDocKey((k) => k + 1);
        }}
      >
        <p>Your {languageName(draft.language)} code for this question will be replaced.</p>
      </ConfirmDialog>
    </div>
  );
}

export function TakePage({ attemptId }: { attemptId: string }): JSX.Element {
  const [resume, setResume] = useState<ResumeOut | null>(null);
  const [state, setState] = useState<Position | null>(null);
  const [brief, setBrief] = useState<AssessmentBrief | null>(null);
  const [review, setReview] = useState<ReviewOut | null>(null);
  const [value, setValue] = useState<AnswerValue>(null);
  const [notes, setNotes] = useState<Notes>({ hints: [], assistant: [] });
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [output, setOutput] = useState<Output | null>(null);
  const [feedback, setFeedback] = useState<AnswerAck | null>(null);
  const [assistantOpen, setAssistantOpen] = useState(false);
  const [revealed, setRevealed] = useState<RevealedHints | null>(null);
  const [confirm, setConfirm] = useState<"finish" | "hint" | null>(null);
  const [socketState, setSocketState] = useState<SocketState | null>(null);
  const [customInput, setCustomInput] = useState("");
  const socket = useRef<AttemptSocket | null>(null);
  const question = state?.question ?? null;
  const isCodeQuestion = question?.type === "code";

  // The live connection (running and submitting code, the assistant's streamed replies) opens with the first
  // code question or the first time the assistant is opened.
  useEffect(() => {
    if ((isCodeQuestion || assistantOpen) && !socket.current) {
      socket.current = new AttemptSocket(attemptId, setSocketState);
      setSocketState(socket.current.state); // draw again now: the panels take the socket while it connects
    }
  }, [isCodeQuestion, assistantOpen, attemptId]);
  useEffect(() => () => socket.current?.close(), []);
  const canRun = socketState === "ready";

  const goToResults = useCallback(
    (reason?: string) => {
      clearAttempt(attemptId);
      navigate(`/attempts/${attemptId}/results${reason ? `?reason=${encodeURIComponent(reason)}` : ""}`, { replace: true });
    },
    [attemptId],
  );

  const refreshReview = useCallback(() => {
    get<ReviewOut>(`/api/attempts/${attemptId}/review`).then(setReview, () => undefined);
  }, [attemptId]);

  // The hints already revealed on this question, from the server (a reload or another browser shows them too).
  const hintsFor = useRef<number | null>(null);
  const refreshHints = useCallback((position: number | null) => {
    if (hintsFor.current !== position) setRevealed(null);
    hintsFor.current = position;
    if (position === null) return;
    get<RevealedHints>(`/api/attempts/${attemptId}/hints`, { position }).then(
      (found) => {
        if (hintsFor.current === found.position) setRevealed(found);
      },
      () => undefined,
    );
  }, [attemptId]);

  const show = useCallback(
    (next: Position) => {
      if (next.status !== "in_progress") {
        goToResults(next.status === "submitted" ? "submitted" : undefined);
        return;
      }
      setState(next);
      if (next.questionRemainingS === undefined) {
        // The question endpoints leave out the per-question clock: read it (and re-sync the total) once.
        get<TimeOut>(`/api/attempts/${attemptId}/time`).then(
          (t) => setState((s) => (s && s.position === next.position ? { ...s, questionRemainingS: t.question_remaining_s } : s)),
          () => undefined,
        );
      }
      setOutput(null);
      setMissing(null);
      setActionError(null);
      const q = next.question;
      if (q) {
        const draft = loadDraft(attemptId, q.question_id);
        setValue(draft && fits(q, draft.value) ? draft.value : initialValue(q));
        setSavedAt(draft?.savedAt ?? null);
        setNotes(loadNotes(attemptId, q.question_id));
      }
      refreshHints(q ? next.position : null);
      refreshReview();
    },
    [attemptId, goToResults, refreshReview, refreshHints],
  );

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const r = await get<ResumeOut>(`/api/attempts/${attemptId}`);
      setResume(r);
      show(fromResume(r));
      // The resume answer carries the hint and assistant policies; older servers need the assessment's brief.
      if (!r.hints || !r.assistant) {
        get<AssessmentBrief>(`/api/assessments/${encodeURIComponent(r.assessment_id)}`).then(setBrief, () => undefined);
      }
    } catch (failure) {
      setLoadError(failure);
    }
  }, [attemptId, show]);

  useEffect(() => {
    void load();
  }, [load]);

  // Drafts: saved a moment after each change, and at once when the page is hidden or closed.
  const pending = useRef<{ questionId: string; value: AnswerValue } | null>(null);
  const flush = useCallback(() => {
    const work = pending.current;
    if (!work) return;
    pending.current = null;
    if (saveDraft(attemptId, work.questionId, work.value)) setSavedAt(Date.now());
  }, [attemptId]);
  useEffect(() => {
    const timer = window.setInterval(flush, 400);
    const onHide = (): void => flush();
    window.addEventListener("pagehide", onHide);
    document.addEventListener("visibilitychange", onHide);
    return () => {
      flush();
      window.clearInterval(timer);
      window.removeEventListener("pagehide", onHide);
      document.removeEventListener("visibilitychange", onHide);
    };
  }, [flush]);

  const change = (next: AnswerValue): void => {
    setValue(next);
    setMissing(null);
    if (question) pending.current = { questionId: question.question_id, value: next };
  };

  const updateNotes = (next: Notes): void => {
    setNotes(next);
    if (question) saveNotes(attemptId, question.question_id, next);
  };

  const onExpired = useCallback(() => {
    flush();
    void get<ResumeOut>(`/api/attempts/${attemptId}`).then(
      (r) => (r.status !== "in_progress" ? goToResults("time") : show(fromResume(r))),
      () => goToResults("time"),
    );
  }, [attemptId, flush, goToResults, show]);

  const left = useCountdown(state?.remainingS, onExpired);
  const questionLeft = useCountdown(state?.questionRemainingS, onExpired);

  const act = async (label: string, work: () => Promise<void>): Promise<void> => {
    setBusy(label);
    setActionError(null);
    try {
      await work();
    } catch (failure) {
      if (failure instanceof ApiError && (failure.code === "attempt_closed")) {
        goToResults("time");
        return;
      }
      setActionError(failure);
    } finally {
      setBusy(null);
    }
  };

  const codeOf = (): { language: string; source: string } | null => {
    if (question?.type !== "code" || !value) return null;
    const draft = value as CodeDraft;
    return { language: draft.language, source: draft.sources[draft.language] ?? "" };
  };

  /** Run a job on the socket, showing its events in the output window as they arrive. */
  const stream = async (kind: Output["kind"], message: Record<string, unknown>): Promise<JobEvent | null> => {
    const live = socket.current;
    if (!live) return null;
    let current: Output = { kind, running: true, tests: [] };
    setOutput(current);
    const last = await live.job(message, (event) => {
      current = applyEvent(current, event);
      setOutput(current);
    });
    return last;
  };

  const run = (custom = false): void => {
    const code = codeOf();
    if (!code || busy || !canRun || output?.running) return;
    flush();
    void stream(custom ? "custom" : "run", { type: "run", ...code, ...(custom ? { input: customInput } : {}) });
  };

  const afterAnswer = async (ack: AnswerAck, questionId: string): Promise<void> => {
    clearDraft(attemptId, questionId);
    if (ack.feedback) {
      setFeedback(ack);
      refreshReview();
      return;
    }
    await next(ack.finished);
  };

  const submitAnswer = (): void => {
    if (!question || !state) return;
    const prepared = toAnswer(question, value);
    if ("missing" in prepared) {
      setMissing(prepared.missing);
      return;
    }
    flush();
    const code = codeOf();
    if (code && canRun) {
      // Over the socket, each test's result shows as it finishes (as far as the feedback policy allows).
      void act("Grading your code on every test…", async () => {
        const last = await stream("submit", { type: "submit", ...code });
        if (last?.type === "error") {
          if (last.code === "attempt_closed") goToResults("time");
          return;
        }
        if (last?.type === "done" && last.ack) await afterAnswer(last.ack, question.question_id);
      });
      return;
    }
    void act(question.type === "code" ? "Grading your code on every test…" : "Submitting your answer…", async () => {
      const ack = await post<AnswerAck>(`/api/attempts/${attemptId}/answer`, { answer: prepared.answer });
      if (question.type === "code") setOutput({ kind: "submit", running: false, tests: [], ack });
      await afterAnswer(ack, question.question_id);
    });
  };

  const next = async (finished: boolean): Promise<void> => {
    setFeedback(null);
    const current = await get<CurrentQuestionOut>(`/api/attempts/${attemptId}/question`);
    show(fromCurrent(current));
    if (finished && !current.question) setConfirm("finish");
  };

  const skip = (to?: number): void => {
    flush();
    void act("Moving on…", async () => {
      const moved = await post<CurrentQuestionOut>(`/api/attempts/${attemptId}/skip`, to ? { to } : {});
      show(fromCurrent(moved));
    });
  };

  const takeHint = (): void => {
    setConfirm(null);
    if (!question) return;
    void act("Getting a hint…", async () => {
      const hint = await post<HintOut>(`/api/attempts/${attemptId}/hint`);
      updateNotes({ ...notes, hints: [...notes.hints, { number: hint.number, text: hint.text, penalty: hint.penalty }] });
      refreshHints(hint.position);
      refreshReview();
    });
  };

  const finish = (): void => {
    setConfirm(null);
    flush();
    void act("Submitting the assessment…", async () => {
      await post(`/api/attempts/${attemptId}/submit`);
      goToResults("submitted");
    });
  };

  const entry = useMemo(() => review?.questions.find((q) => q.position === state?.position), [review, state?.position]);
  const penalty = revealed?.penalty_per_hint ?? resume?.hints?.penalty ?? brief?.hint_penalty ?? null;
  const hintsAllowed = resume?.hints?.allowed ?? brief?.hints_allowed ?? true;
  const hints: Notes["hints"] = revealed
    ? revealed.hints.map((h) => ({ number: h.number, text: h.text, penalty: penalty ?? 0 }))
    : notes.hints;
  const hintsUsed = Math.max(entry?.hints_used ?? 0, hints.length);
  // The policy decides whether the assistant is offered at all; older servers do not say (then it is offered).
  const assistantPolicy = resume?.assistant ?? brief?.assistant ?? null;
  const assistantOffered = assistantPolicy ? assistantPolicy.mode !== "off" : true;
  const hintsLeft = question ? Math.max(0, question.hints_available - hintsUsed) : 0;
  const answered =
    review?.questions.filter((q) => q.status === "answered" || q.status === "timed_out").length ?? resume?.progress.answered ?? 0;
  const unanswered = (state?.total ?? 0) - answered;
  const canSkip = resume?.can_skip ?? false;

  if (loadError) {
    return (
      <section class="page">
        <h1>Attempt</h1>
        <ErrorBox error={loadError} onRetry={() => void load()} />
        <p><Link href="/assessments">Back to assessments</Link></p>
      </section>
    );
  }
  if (!state || !resume) return <Loading label="Opening your attempt…" />;

  const isCode = question?.type === "code";
  const savedLabel = savedAt ? `Draft saved in this browser at ${new Date(savedAt).toLocaleTimeString()}` : "";

  return (
    <section class={`take ${isCode ? "take-code" : ""} ${assistantOpen ? "with-assistant" : ""}`} aria-label={resume.title}>
      <header class="take-bar">
        <div class="take-title">
          <h1 tabIndex={-1}>{resume.title}</h1>
          <ProgressBar answered={answered} total={state.total} position={state.position} />
        </div>
        <Navigator review={review} current={state.position} canSkip={canSkip} onGo={(p) => skip(p)} />
        <div class="take-tools">
          <Timer seconds={questionLeft} label="This question" />
          <Timer seconds={left} label="Time left" />
          {assistantOffered ? (
            <button type="button" class="btn" aria-expanded={assistantOpen} onClick={() => setAssistantOpen(!assistantOpen)}>
              Assistant
            </button>
          ) : null}
          <button type="button" class="btn btn-danger" onClick={() => setConfirm("finish")}>
            Finish
          </button>
        </div>
      </header>

      {question === null ? (
        <div class="done card">
          <h2>{state.stopReason ? "The assessment has ended" : "Every question has an answer"}</h2>
          {state.stopReason ? <p>{state.stopReason}</p> : null}
          <p>Submit the assessment to see your results.</p>
          <button type="button" class="btn btn-primary" onClick={() => setConfirm("finish")}>
            Submit assessment
          </button>
        </div>
      ) : (
        <div class="take-body">
          <div class="pane pane-problem">
            <ProblemPane question={question} position={state.position} />
            {question.type === "fill_blank" ? (
              <AnswerControl question={question} value={value} onChange={change} disabled={!!busy || !!feedback} />
            ) : null}
            <HintList hints={hints} />
          </div>
          <div class="pane pane-answer">
            {isCode ? (
              <CodeAnswer
                question={question}
                draft={value as CodeDraft}
                onChange={change}
                canRun={canRun}
                onRun={() => run()}
                disabled={!!busy}
              />
            ) : question.type !== "fill_blank" ? (
              <AnswerControl question={question} value={value} onChange={change} disabled={!!busy || !!feedback} />
            ) : null}
            {feedback?.feedback && !isCode ? <FeedbackBox feedback={feedback.feedback} /> : null}
            {missing ? <p class="alert alert-warning" role="alert">{missing}</p> : null}
            <ErrorBox error={actionError} />
            <div class="actions" role="group" aria-label="Answer">
              {feedback ? (
                <button type="button" class="btn btn-primary" onClick={() => void act("Loading…", () => next(feedback.finished))}>
                  {feedback.finished ? "Review and submit" : "Next question"}
                </button>
              ) : (
                <>
                  {isCode && canRun ? (
                    <button type="button" class="btn" disabled={!!busy || !!output?.running} onClick={() => run()}>
                      Run sample tests
                    </button>
                  ) : null}
                  <button type="button" class="btn btn-primary" disabled={!!busy} onClick={submitAnswer}>
                    Submit answer
                  </button>
                  {canSkip ? (
                    <button type="button" class="btn" disabled={!!busy} onClick={() => skip()}>
                      Skip for now
                    </button>
                  ) : null}
                  {hintsLeft > 0 && hintsAllowed ? (
                    <button type="button" class="btn" disabled={!!busy} onClick={() => setConfirm("hint")}>
                      Hint ({hintsLeft} left)
                    </button>
                  ) : null}
                </>
              )}
              <span class="save-state" role="status">{feedback ? "" : savedLabel}</span>
            </div>
            {busy && !isCode ? <Loading label={busy} /> : null}
            {isCode ? (
              <OutputWindow
                output={output}
                busy={busy}
                samples={question.sample_tests ?? []}
                customInput={customInput}
                onCustomInput={setCustomInput}
                onRunCustom={canRun ? () => run(true) : null}
                inputHelp={
                  question.entry_point
                    ? `The arguments of ${question.entry_point} as a JSON list, e.g. [[1, 2, 3]].`
                    : "What the program reads on its standard input."
                }
              />
            ) : null}
            {isCode && socketState === "connecting" ? <p class="muted small" role="status">Connecting to the runner…</p> : null}
            {isCode && socketState === "unavailable" ? (
              <p class="muted small" role="status">Running the sample tests needs a live connection, which is not available; you can still submit.</p>
            ) : null}
          </div>
          {assistantOpen && assistantOffered ? (
            <AssistantPanel
              key={state.position}
              attemptId={attemptId}
              question={question}
              position={state.position}
              code={codeOf()}
              allowed={assistantPolicy?.kinds ?? null}
              socket={socket.current}
              socketUsable={socketState !== "unavailable"}
              onHint={() => {
                refreshHints(state.position);
                refreshReview();
              }}
              onClose={() => setAssistantOpen(false)}
            />
          ) : null}
        </div>
      )}

      <ConfirmDialog
        open={confirm === "finish"}
        title="Submit the assessment?"
        confirmLabel="Submit assessment"
        onCancel={() => setConfirm(null)}
        onConfirm={finish}
      >
        <p>
          {unanswered > 0
            ? `${unanswered} of ${state.total} questions have no answer yet; they will score nothing.`
            : "Every question has an answer."}{" "}
          You cannot change anything afterwards.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "hint"}
        title="Show the next hint?"
        confirmLabel="Show hint"
        onCancel={() => setConfirm(null)}
        onConfirm={takeHint}
      >
        <p>
          {penalty ? `Each hint takes ${formatPoints(penalty)} ${penalty === 1 ? "point" : "points"} off this question.` : "Hints may take points off this question."}
        </p>
      </ConfirmDialog>
    </section>
  );
}
