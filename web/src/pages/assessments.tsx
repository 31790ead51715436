// The candidate's home: the assessments they may take and their own attempts; one assessment's brief.

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { currentUser, get, hasRole, post } from "../api";
import { Markdown } from "../markdown";
import { Link, navigate } from "../router";
import type { AssessmentBrief, AttemptStarted, AttemptSummary } from "../types";
import { ErrorBox, Loading, Page, StatusBadge, formatDate, useAsync } from "../ui";

function facts(a: AssessmentBrief): string[] {
  const out = [`${a.questions} ${a.questions === 1 ? "question" : "questions"}`];
  out.push(a.duration_minutes ? `${a.duration_minutes} minutes` : "no time limit");
  if (a.mode === "adaptive") out.push("adaptive");
  if (a.max_attempts) out.push(`${a.max_attempts} ${a.max_attempts === 1 ? "attempt" : "attempts"}`);
  return out;
}

function AttemptLink({ attempt }: { attempt: AttemptSummary }): JSX.Element {
  if (attempt.status === "in_progress") {
    return <Link class="btn btn-primary btn-small" href={`/attempts/${attempt.attempt_id}`}>Continue</Link>;
  }
  return <Link class="btn btn-small" href={`/attempts/${attempt.attempt_id}/results`}>Results</Link>;
}

export function AssessmentsPage(): JSX.Element {
  const user = currentUser();
  const assessments = useAsync(() => get<{ assessments: AssessmentBrief[] }>("/api/assessments"), []);
  const attempts = useAsync(() => get<{ attempts: AttemptSummary[] }>("/api/attempts"), []);
  const titles = new Map((assessments.data?.assessments ?? []).map((a) => [a.id, a.title]));
  const mine = [...(attempts.data?.attempts ?? [])].reverse();
  const open = (assessments.data?.assessments ?? []).filter((a) => a.status === "published");
  const drafts = (assessments.data?.assessments ?? []).filter((a) => a.status !== "published");

  return (
    <Page title="Assessments">
      <section aria-labelledby="available-title">
        <h2 id="available-title">Available to you</h2>
        {assessments.loading ? <Loading /> : null}
        <ErrorBox error={assessments.error} onRetry={assessments.reload} />
        {assessments.data && !open.length ? (
          <p class="muted">No assessment is open to you right now. If you were invited, open the link from your invitation.</p>
        ) : null}
        <ul class="cards">
          {open.map((a) => (
            <li class="card assessment-card" key={a.id}>
              <h3>
                <Link href={`/assessments/${encodeURIComponent(a.id)}`}>{a.title}</Link>
              </h3>
              <p class="muted small">{facts(a).join(" · ")}</p>
              {a.closes_at ? <p class="small">Closes {formatDate(a.closes_at)}</p> : null}
            </li>
          ))}
        </ul>
        {hasRole(user, "author") && drafts.length ? (
          <p class="muted small">
            {drafts.length} draft {drafts.length === 1 ? "assessment is" : "assessments are"} not published yet:{" "}
            <Link href="/author/assessments">manage assessments</Link>.
          </p>
        ) : null}
      </section>

      <section aria-labelledby="attempts-title">
        <h2 id="attempts-title">Your attempts</h2>
        {attempts.loading ? <Loading /> : null}
        <ErrorBox error={attempts.error} onRetry={attempts.reload} />
        {attempts.data && !mine.length ? <p class="muted">You have not started an assessment yet.</p> : null}
        {mine.length ? (
          <div class="table-wrap" tabIndex={0}>
            <table class="table">
              <caption class="sr-only">Your attempts, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Assessment</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  <th scope="col">Score</th>
                  <th scope="col"><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {mine.map((attempt) => (
                  <tr key={attempt.attempt_id}>
                    <td>{titles.get(attempt.assessment_id) ?? attempt.assessment_id}</td>
                    <td>#{attempt.number}</td>
                    <td>{formatDate(attempt.started_at)}</td>
                    <td><StatusBadge status={attempt.status} /></td>
                    <td>
                      {attempt.percentage === null ? "—" : `${attempt.percentage.toFixed(1)} %`}
                      {attempt.passed === null ? null : attempt.passed ? " · passed" : " · not passed"}
                    </td>
                    <td><AttemptLink attempt={attempt} /></td>
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

export function AssessmentPage({ id }: { id: string }): JSX.Element {
  const brief = useAsync(() => get<AssessmentBrief>(`/api/assessments/${encodeURIComponent(id)}`), [id]);
  const attempts = useAsync(() => get<{ attempts: AttemptSummary[] }>("/api/attempts", { assessment_id: id }), [id]);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const running = attempts.data?.attempts.find((a) => a.status === "in_progress");
  const used = attempts.data?.attempts.length ?? 0;

  const start = async (): Promise<void> => {
    setStarting(true);
    setError(null);
    try {
      const started = await post<AttemptStarted>(`/api/assessments/${encodeURIComponent(id)}/attempts`);
      navigate(`/attempts/${started.attempt_id}`);
    } catch (failure) {
      setError(failure);
      setStarting(false);
    }
  };

  if (brief.loading) return <Loading />;
  if (!brief.data) {
    return (
      <Page title="Assessment">
        <ErrorBox error={brief.error} onRetry={brief.reload} />
      </Page>
    );
  }
  const a = brief.data;
  const exhausted = a.max_attempts !== null && used >= a.max_attempts && !running;
  return (
    <Page title={a.title}>
      <div class="brief">
        <dl class="facts">
          <div><dt>Questions</dt><dd>{a.mode === "adaptive" ? `up to ${a.questions}` : a.questions}</dd></div>
          <div><dt>Time</dt><dd>{a.duration_minutes ? `${a.duration_minutes} minutes` : "no limit"}</dd></div>
          {a.question_time_limit_s ? <div><dt>Per question</dt><dd>{a.question_time_limit_s} s</dd></div> : null}
          <div><dt>Attempts</dt><dd>{a.max_attempts ? `${used} of ${a.max_attempts} used` : `${used} used, no limit`}</dd></div>
          <div><dt>Hints</dt><dd>{a.hints_allowed ? "allowed" : "not available"}</dd></div>
          <div>
            <dt>Feedback</dt>
            <dd>
              {a.feedback === "immediate" ? "after each answer" : a.feedback === "after_submission" ? "after you submit" : "none"}
            </dd>
          </div>
          {a.closes_at ? <div><dt>Closes</dt><dd>{formatDate(a.closes_at)}</dd></div> : null}
        </dl>
        {a.instructions ? (
          <section aria-labelledby="instructions-title">
            <h2 id="instructions-title">Instructions</h2>
            <Markdown text={a.instructions} />
          </section>
        ) : null}
        <p class="muted small">
          The timer starts when you begin and keeps running if you close the page; your work is saved in this browser as you type.
        </p>
        <ErrorBox error={error} />
        <div class="actions">
          {running ? (
            <Link class="btn btn-primary" href={`/attempts/${running.attempt_id}`}>Continue attempt #{running.number}</Link>
          ) : (
            <button type="button" class="btn btn-primary" disabled={starting || exhausted || a.status !== "published"} onClick={() => void start()}>
              {starting ? "Starting…" : used ? "Start a new attempt" : "Start"}
            </button>
          )}
          <Link class="btn" href="/assessments">Back</Link>
          {used > 0 && a.feedback !== "never" ? (
            <Link class="btn" href={`/metrics/assessments/${encodeURIComponent(a.id)}`}>Your metrics here</Link>
          ) : null}
        </div>
        {exhausted ? <p class="muted">You have used every attempt this assessment allows.</p> : null}
      </div>
    </Page>
  );
}
