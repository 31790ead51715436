// Results of an attempt: the candidate's (as the feedback policy allows) and the reviewer's full report, with
// grading, overrides, the score audit trail and the assistant log.

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { get, post, request } from "../api";
import { BarChart } from "../charts";
import { CodeEditor } from "../editor";
import { Markdown } from "../markdown";
import { Link } from "../router";
import type { AttemptReport, AuditEntry, LoggedExchange, QuestionResult, ReviewItem, ScoreChange } from "../types";
import {
  DifficultyBadge,
  ErrorBox,
  Loading,
  Notice,
  Page,
  StatusBadge,
  formatDate,
  formatDuration,
  formatKb,
  formatMs,
  formatPoints,
  showValue,
  useAsync,
} from "../ui";

const SUBMIT_REASONS: Record<string, string> = {
  candidate: "submitted by the candidate",
  time_up: "submitted when time ran out",
};

const REASONS: Record<string, string> = {
  time: "Time ran out, so the assessment was submitted with the answers given so far.",
  submitted: "Your assessment is submitted.",
};

function Summary({ report }: { report: AttemptReport }): JSX.Element {
  const pending = report.state === "pending_review";
  return (
    <div class="summary">
      <div class={`score-ring ${report.passed ? "pass" : "fail"}`} aria-hidden="true">
        <span>{Math.round(report.percentage)}%</span>
      </div>
      <dl class="facts">
        <div><dt>Score</dt><dd>{report.percentage.toFixed(1)} % ({formatPoints(report.points_earned)} of {formatPoints(report.points_possible)} points)</dd></div>
        <div><dt>Result</dt><dd>{pending ? "pending review" : report.passed ? `passed (needs ${report.passing_score} %)` : `not passed (needs ${report.passing_score} %)`}</dd></div>
        <div><dt>Grade</dt><dd>{report.grade}</dd></div>
        <div><dt>Time spent</dt><dd>{formatDuration(report.time_spent_s)}</dd></div>
        <div><dt>Hints used</dt><dd>{report.hints_used}{report.hint_penalty ? ` (−${formatPoints(report.hint_penalty)} points)` : ""}</dd></div>
        <div><dt>Submitted</dt><dd>{formatDate(report.submitted_at)}</dd></div>
        {report.theta !== null ? <div><dt>Ability (θ)</dt><dd>{report.theta.toFixed(2)}</dd></div> : null}
      </dl>
      {pending ? (
        <Notice kind="warning">
          {report.pending_review} {report.pending_review === 1 ? "answer waits" : "answers wait"} for a reviewer; the score may still change.
        </Notice>
      ) : null}
    </div>
  );
}

function Breakdowns({ report }: { report: AttemptReport }): JSX.Element | null {
  if (!report.by_topic.length && !report.by_difficulty.length) return null;
  return (
    <section aria-labelledby="breakdown-title" class="grid-2">
      <h2 id="breakdown-title" class="span-2">By topic and difficulty</h2>
      {report.by_topic.length ? (
        <BarChart
          title="Score by topic"
          unit="%"
          max={100}
          horizontal
          labels={report.by_topic.map((b) => b.name)}
          series={[{ label: "Score", data: report.by_topic.map((b) => b.percentage), color: "#58a6ff" }]}
          description={report.by_topic.map((b) => `${b.name} ${b.percentage.toFixed(0)} %`).join(", ")}
        />
      ) : null}
      <div class="table-wrap" tabIndex={0}>
        <table class="table">
          <caption>Points by topic and by difficulty</caption>
          <thead>
            <tr><th scope="col">Group</th><th scope="col">Questions</th><th scope="col">Points</th><th scope="col">Score</th></tr>
          </thead>
          <tbody>
            {[...report.by_topic.map((b) => ({ ...b, kind: "topic" })), ...report.by_difficulty.map((b) => ({ ...b, kind: "difficulty" }))].map((b) => (
              <tr key={`${b.kind}:${b.name}`}>
                <th scope="row">{b.kind === "difficulty" ? <DifficultyBadge difficulty={b.name} /> : b.name}</th>
                <td>{b.questions}</td>
                <td>{formatPoints(b.points_earned)} / {formatPoints(b.points_possible)}</td>
                <td>{b.percentage.toFixed(0)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AnswerView({ question }: { question: QuestionResult }): JSX.Element {
  const answer = question.answer;
  if (answer && typeof answer === "object" && "source" in answer) {
    const code = answer as { language?: string; source: string };
    return (
      <div class="answer-code">
        <CodeEditor value={code.source} language={code.language ?? "python"} readOnly label={`Submitted ${code.language ?? ""} code`} />
      </div>
    );
  }
  if (answer === null || answer === undefined) return <p class="muted">No answer.</p>;
  if (typeof answer === "string") return <pre class="answer-text">{answer}</pre>;
  return <pre class="answer-text">{JSON.stringify(answer, null, 2)}</pre>;
}

function ReviewForms({ attemptId, question, onChanged }: { attemptId: string; question: QuestionResult; onChanged: () => void }): JSX.Element {
  const item = useAsync(() => get<ReviewItem>(`/api/review/attempts/${attemptId}/items/${question.position}`), [attemptId, question.position]);
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [criteria, setCriteria] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<ScoreChange | null>(null);
  const [busy, setBusy] = useState(false);
  const rubric = item.data?.rubric ?? [];
  const criterionName = (c: ReviewItem["rubric"][number], i: number): string => String(c.name ?? c.criterion ?? `criterion ${i + 1}`);

  const send = async (event: Event, kind: "grade" | "override"): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let body: Record<string, unknown>;
      if (kind === "override") body = { points: Number(points), reason };
      else if (rubric.length && Object.keys(criteria).length) {
        body = { criteria: Object.fromEntries(Object.entries(criteria).map(([k, v]) => [k, Number(v)])), reason };
      } else body = { points: Number(points), reason };
      setDone(await post<ScoreChange>(`/api/review/attempts/${attemptId}/items/${question.position}/${kind}`, body));
      setPoints("");
      setReason("");
      setCriteria({});
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const id = `q${question.position}`;
  return (
    <div class="review-forms">
      {item.loading ? <Loading /> : null}
      <ErrorBox error={item.error} />
      {done ? <Notice kind="success">Saved: {formatPoints(done.new_points)} of {formatPoints(done.points_possible)} points; the attempt now scores {done.attempt_percentage.toFixed(1)} %.</Notice> : null}
      {item.data && question.needs_review ? (
        <form onSubmit={(e) => void send(e, "grade")} class="card-inner" aria-labelledby={`${id}-grade`}>
          <h4 id={`${id}-grade`}>Grade this answer</h4>
          {rubric.length ? (
            <fieldset>
              <legend>Rubric (0 to 1 per criterion)</legend>
              {rubric.map((c, i) => {
                const name = criterionName(c, i);
                return (
                  <div class="field field-inline" key={name}>
                    <label for={`${id}-c${i}`}>{name}{c.description ? ` — ${c.description}` : ""}</label>
                    <input id={`${id}-c${i}`} type="number" min={0} max={1} step={0.05} value={criteria[name] ?? ""}
                      onInput={(e) => setCriteria({ ...criteria, [name]: (e.currentTarget as HTMLInputElement).value })} />
                  </div>
                );
              })}
              <p class="hint-text">Or give points directly below.</p>
            </fieldset>
          ) : null}
          <div class="field field-inline">
            <label for={`${id}-points`}>Points (of {formatPoints(question.points_possible)})</label>
            <input id={`${id}-points`} type="number" min={0} max={question.points_possible} step="any" value={points}
              required={!Object.keys(criteria).length} onInput={(e) => setPoints((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for={`${id}-reason`}>Note (optional)</label>
            <input id={`${id}-reason`} type="text" value={reason} maxLength={2000} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <button type="submit" class="btn btn-primary" disabled={busy}>Save grade</button>
        </form>
      ) : null}
      {item.data && !question.needs_review ? (
        <form onSubmit={(e) => void send(e, "override")} class="card-inner" aria-labelledby={`${id}-override`}>
          <h4 id={`${id}-override`}>Override the score</h4>
          <div class="field field-inline">
            <label for={`${id}-opoints`}>Points (of {formatPoints(question.points_possible)})</label>
            <input id={`${id}-opoints`} type="number" min={0} max={question.points_possible} step="any" required value={points}
              onInput={(e) => setPoints((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for={`${id}-oreason`}>Reason (kept in the audit trail)</label>
            <input id={`${id}-oreason`} type="text" required value={reason} maxLength={2000}
              onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <button type="submit" class="btn" disabled={busy}>Override</button>
        </form>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}

function QuestionRow({ question, attemptId, staff, onChanged }: { question: QuestionResult; attemptId: string; staff: boolean; onChanged: () => void }): JSX.Element {
  const state = question.needs_review ? "review" : question.correct ? "correct" : question.points_earned > 0 ? "partial" : "incorrect";
  const label = { review: "needs review", correct: "correct", partial: "partly correct", incorrect: "incorrect" }[state];
  return (
    <li class={`result-item result-${state}`}>
      <details>
        <summary>
          <span class="result-pos">{question.position}.</span>
          <span class="result-title">{question.title}</span>
          <span class={`pill pill-${state}`}>{label}</span>
          <span class="result-points">{formatPoints(question.points_earned)} / {formatPoints(question.points_possible)}</span>
        </summary>
        <div class="result-body">
          <p class="tags">
            <span class="tag">{question.type.replace(/_/g, " ")}</span>
            <DifficultyBadge difficulty={question.difficulty} />
            {question.topics.map((t) => <span class="tag" key={t}>{t}</span>)}
            <StatusBadge status={question.status} />
          </p>
          <dl class="facts facts-small">
            <div><dt>Time spent</dt><dd>{formatDuration(question.time_spent_s)}</dd></div>
            {question.exec_time_ms !== null ? <div><dt>Execution time</dt><dd>{formatMs(question.exec_time_ms)}</dd></div> : null}
            {question.memory_kb !== null ? <div><dt>Memory</dt><dd>{formatKb(question.memory_kb)}</dd></div> : null}
            <div><dt>Hints</dt><dd>{question.hints_used}{question.hint_penalty ? ` (−${formatPoints(question.hint_penalty)})` : ""}</dd></div>
          </dl>
          {question.feedback ? <p class="feedback-text">{question.feedback}</p> : null}
          <h4>Answer</h4>
          <AnswerView question={question} />
          {question.correct_answer !== null && question.correct_answer !== undefined ? (
            <>
              <h4>Correct answer</h4>
              <pre class="answer-text">{showValue(question.correct_answer)}</pre>
            </>
          ) : null}
          {question.explanation ? (
            <>
              <h4>Explanation</h4>
              <Markdown text={question.explanation} />
            </>
          ) : null}
          {staff ? <ReviewForms attemptId={attemptId} question={question} onChanged={onChanged} /> : null}
        </div>
      </details>
    </li>
  );
}

function Questions({ report, staff, onChanged }: { report: AttemptReport; staff: boolean; onChanged: () => void }): JSX.Element {
  return (
    <section aria-labelledby="questions-title">
      <h2 id="questions-title">Questions</h2>
      {report.questions.length ? (
        <ol class="results-list">
          {report.questions.map((q) => (
            <QuestionRow key={q.position} question={q} attemptId={report.attempt_id} staff={staff} onChanged={onChanged} />
          ))}
        </ol>
      ) : (
        <p class="muted">The feedback policy of this assessment does not show per-question results.</p>
      )}
    </section>
  );
}

function Remediation({ report }: { report: AttemptReport }): JSX.Element | null {
  const topics = Object.entries(report.remediation).filter(([, ids]) => ids.length);
  if (!topics.length) return null;
  return (
    <section aria-labelledby="practise-title">
      <h2 id="practise-title">To practise</h2>
      <ul class="plain">
        {topics.map(([topic, ids]) => (
          <li key={topic}>
            <strong>{topic}</strong>: {ids.join(", ")}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ResultsPage({ attemptId, reason }: { attemptId: string; reason: string | null }): JSX.Element {
  const report = useAsync(() => get<AttemptReport>(`/api/attempts/${attemptId}/results`), [attemptId]);
  if (report.loading && !report.data) return <Loading label="Loading your results…" />;
  if (!report.data) {
    return (
      <Page title="Results">
        <ErrorBox error={report.error} onRetry={report.reload} />
      </Page>
    );
  }
  const r = report.data;
  return (
    <Page title={`Results: ${r.title}`} actions={<Link class="btn" href="/metrics">Your metrics</Link>}>
      {reason && REASONS[reason] ? <Notice kind={reason === "time" ? "warning" : "success"}>{REASONS[reason]}</Notice> : null}
      <Summary report={r} />
      <Breakdowns report={r} />
      <Questions report={r} staff={false} onChanged={report.reload} />
      <Remediation report={r} />
      <p><Link href="/assessments">Back to assessments</Link></p>
    </Page>
  );
}

function History({ attemptId, version }: { attemptId: string; version: number }): JSX.Element {
  const history = useAsync(() => get<{ entries: AuditEntry[] }>(`/api/review/attempts/${attemptId}/history`), [attemptId, version]);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Score changes</h2>
      <ErrorBox error={history.error} />
      {history.data && !history.data.entries.length ? <p class="muted">No score has been changed by hand.</p> : null}
      {history.data?.entries.length ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table">
            <thead>
              <tr><th scope="col">When</th><th scope="col">Question</th><th scope="col">Kind</th><th scope="col">By</th><th scope="col">Points</th><th scope="col">Reason</th></tr>
            </thead>
            <tbody>
              {history.data.entries.map((e) => (
                <tr key={e.id}>
                  <td>{formatDate(e.created_at)}</td>
                  <td>{e.position}. {e.question_id}</td>
                  <td>{e.kind}</td>
                  <td>{e.actor}</td>
                  <td>{formatPoints(e.old_points)} → {formatPoints(e.new_points)}</td>
                  <td>{e.reason || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function AssistantLogView({ attemptId }: { attemptId: string }): JSX.Element {
  const log = useAsync(() => get<{ exchanges: LoggedExchange[] }>(`/api/attempts/${attemptId}/assistant`), [attemptId]);
  return (
    <section aria-labelledby="assistant-log-title">
      <h2 id="assistant-log-title">Assistant exchanges</h2>
      <ErrorBox error={log.error} />
      {log.data && !log.data.exchanges.length ? <p class="muted">The candidate did not use the assistant.</p> : null}
      <ol class="chat">
        {(log.data?.exchanges ?? []).map((e, i) => (
          <li key={i}>
            <p class="chat-you">
              <span class="muted small">{formatDate(e.created_at)} · question {e.position ?? "—"} · {e.kind} · {e.provider} · {e.tokens} tokens</span>
              <br />
              {e.request || `(${e.kind})`}
            </p>
            <div class="chat-reply"><Markdown text={e.reply} /></div>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ReportPage({ attemptId }: { attemptId: string }): JSX.Element {
  const report = useAsync(() => get<AttemptReport>(`/api/reports/${encodeURIComponent(attemptId)}`), [attemptId]);
  const [version, setVersion] = useState(0);
  const changed = (): void => {
    setVersion((v) => v + 1);
    report.reload();
  };
  if (report.loading && !report.data) return <Loading label="Loading the report…" />;
  if (!report.data) {
    return (
      <Page title="Attempt report">
        <ErrorBox error={report.error} onRetry={report.reload} />
      </Page>
    );
  }
  const r = report.data;
  const download = async (): Promise<void> => {
    const text = await request<string>("GET", "/api/results/export", {
      query: { format: "csv", assessment_id: r.assessment_id, user: r.user, per_question: true }, text: true,
    });
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `attempt-${r.attempt_id}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Page
      title={`Report: ${r.user}`}
      wide
      actions={
        <>
          <button type="button" class="btn" onClick={() => void download()}>Download CSV</button>
          <Link class="btn" href={`/metrics?user=${encodeURIComponent(r.user)}`}>Candidate metrics</Link>
        </>
      }
    >
      <p class="muted">
        {r.title} · attempt #{r.number} · started {formatDate(r.started_at)} · <StatusBadge status={r.status} />
        {r.submit_reason ? ` · ${SUBMIT_REASONS[r.submit_reason] ?? r.submit_reason}` : ""}
      </p>
      <Summary report={r} />
      <Breakdowns report={r} />
      <Questions report={r} staff onChanged={changed} />
      <History attemptId={attemptId} version={version} />
      <AssistantLogView attemptId={attemptId} />
      <Remediation report={r} />
    </Page>
  );
}
