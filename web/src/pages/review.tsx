// For reviewers: answers waiting for a person, and every attempt (GET /api/review/attempts: in progress too,
// filtered by assessment, state and candidate) to open its report.

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { get } from "../api";
import { Link, navigate } from "../router";
import type { AssessmentBrief, QueueEntry } from "../types";
import { ErrorBox, Loading, Page, StatusBadge, formatDate, formatPoints, useAsync } from "../ui";

const PAGE_SIZE = 50;
const STATES: [string, string][] = [
  ["", "Any state"], ["in_progress", "In progress"], ["submitted", "Submitted"], ["pending_review", "Waiting for review"], ["final", "Final"],
];

interface AttemptRow {
  attempt_id: string;
  assessment_id: string;
  title: string;
  user: string;
  number: number;
  status: string;
  state: string;
  submit_reason: string | null;
  started_at: string;
  deadline_at: string | null;
  submitted_at: string | null;
  percentage: number | null;
  passed: boolean | null;
  pending_review: number;
}

interface AttemptPage {
  items: AttemptRow[];
  total: number;
  limit: number;
  offset: number;
}

export function ReviewPage(props: { assessment: string | null; user: string | null; state: string | null }): JSX.Element {
  const { assessment, user, state } = props;
  const [filterAssessment, setFilterAssessment] = useState(assessment ?? "");
  const [filterUser, setFilterUser] = useState(user ?? "");
  const assessments = useAsync(() => get<{ assessments: AssessmentBrief[] }>("/api/assessments"), []);
  const queue = useAsync(() => get<{ entries: QueueEntry[] }>("/api/review/queue", { assessment_id: assessment }), [assessment]);
  const [filterState, setFilterState] = useState(state ?? "");
  const [offset, setOffset] = useState(0);
  const attempts = useAsync(
    () => get<AttemptPage>("/api/review/attempts", { assessment_id: assessment, user, state, limit: PAGE_SIZE, offset }),
    [assessment, user, state, offset],
  );
  const apply = (event: Event): void => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (filterAssessment) query.set("assessment", filterAssessment);
    if (filterUser.trim()) query.set("user", filterUser.trim());
    if (filterState) query.set("state", filterState);
    setOffset(0);
    const encoded = query.toString();
    navigate(`/review${encoded ? `?${encoded}` : ""}`);
  };

  return (
    <Page title="Review" wide>
      <form class="filters" onSubmit={apply} role="search" aria-label="Filter attempts">
        <div class="field">
          <label for="review-assessment">Assessment</label>
          <select id="review-assessment" value={filterAssessment} onChange={(e) => setFilterAssessment((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">All assessments</option>
            {(assessments.data?.assessments ?? []).map((a) => (
              <option value={a.id} key={a.id}>{a.title}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="review-state">State</label>
          <select id="review-state" value={filterState} onChange={(e) => setFilterState((e.currentTarget as HTMLSelectElement).value)}>
            {STATES.map(([value, label]) => <option value={value} key={value}>{label}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="review-user">Candidate email</label>
          <input id="review-user" type="text" value={filterUser} onInput={(e) => setFilterUser((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="btn">Filter</button>
      </form>

      <section aria-labelledby="queue-title">
        <h2 id="queue-title">Waiting for review</h2>
        {queue.loading ? <Loading /> : null}
        <ErrorBox error={queue.error} onRetry={queue.reload} />
        {queue.data && !queue.data.entries.length ? <p class="muted">Nothing waits for a reviewer.</p> : null}
        {queue.data?.entries.length ? (
          <div class="table-wrap" tabIndex={0}>
            <table class="table">
              <thead>
                <tr><th scope="col">Submitted</th><th scope="col">Candidate</th><th scope="col">Assessment</th><th scope="col">Question</th><th scope="col">Points</th><th scope="col"><span class="sr-only">Open</span></th></tr>
              </thead>
              <tbody>
                {queue.data.entries.map((e) => (
                  <tr key={`${e.attempt_id}:${e.position}`}>
                    <td>{formatDate(e.submitted_at)}</td>
                    <td>{e.user}</td>
                    <td>{e.assessment_id}</td>
                    <td>{e.position}. {e.title} <span class="muted small">({e.type.replace(/_/g, " ")})</span></td>
                    <td>{formatPoints(e.points_earned)} / {formatPoints(e.points_possible)}</td>
                    <td><Link class="btn btn-small btn-primary" href={`/reports/${e.attempt_id}`}>Grade</Link></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        {attempts.loading ? <Loading /> : null}
        <ErrorBox error={attempts.error} onRetry={attempts.reload} />
        {attempts.data && !attempts.data.items.length ? <p class="muted">No attempt matches.</p> : null}
        {attempts.data?.items.length ? (
          <>
            <p class="muted" role="status">{attempts.data.total} {attempts.data.total === 1 ? "attempt" : "attempts"}, newest first</p>
            <div class="table-wrap" tabIndex={0}>
              <table class="table">
                <thead>
                  <tr><th scope="col">Candidate</th><th scope="col">Assessment</th><th scope="col">Started</th><th scope="col">State</th><th scope="col">Score</th><th scope="col">Submitted</th><th scope="col"><span class="sr-only">Open</span></th></tr>
                </thead>
                <tbody>
                  {attempts.data.items.map((r) => (
                    <tr key={r.attempt_id}>
                      <td>{r.user}</td>
                      <td>{r.title} <span class="muted small">#{r.number}</span></td>
                      <td>{formatDate(r.started_at)}</td>
                      <td>
                        <StatusBadge status={r.state || r.status} />
                        {r.pending_review ? <span class="muted small"> · {r.pending_review} to grade</span> : null}
                      </td>
                      <td>{r.percentage === null ? "—" : `${r.percentage.toFixed(1)} %`}{r.passed === null ? null : r.passed ? " · passed" : " · not passed"}</td>
                      <td>{r.submitted_at ? formatDate(r.submitted_at) : r.deadline_at ? `due ${formatDate(r.deadline_at)}` : "—"}</td>
                      <td>
                        {r.status === "in_progress" ? null : (
                          <Link class="btn btn-small" href={`/reports/${r.attempt_id}`}>Report<span class="sr-only"> of {r.user}, {r.title} #{r.number}</span></Link>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {attempts.data.total > PAGE_SIZE ? (
              <nav class="pager" aria-label="Pages">
                <button type="button" class="btn" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>Previous</button>
                <span>{offset + 1}–{Math.min(offset + PAGE_SIZE, attempts.data.total)} of {attempts.data.total}</span>
                <button type="button" class="btn" disabled={offset + PAGE_SIZE >= attempts.data.total} onClick={() => setOffset(offset + PAGE_SIZE)}>Next</button>
              </nav>
            ) : null}
          </>
        ) : null}
      </section>
    </Page>
  );
}
