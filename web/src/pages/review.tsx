// For reviewers: answers waiting for a person, and every attempt (from the results export) to open its report.

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { get, request } from "../api";
import { Link, navigate } from "../router";
import type { AssessmentBrief, ExportRow, QueueEntry } from "../types";
import { ErrorBox, Loading, Page, StatusBadge, formatDate, formatDuration, formatPoints, useAsync } from "../ui";

export function ReviewPage({ assessment, user }: { assessment: string | null; user: string | null }): JSX.Element {
  const [filterAssessment, setFilterAssessment] = useState(assessment ?? "");
  const [filterUser, setFilterUser] = useState(user ?? "");
  const assessments = useAsync(() => get<{ assessments: AssessmentBrief[] }>("/api/assessments"), []);
  const queue = useAsync(() => get<{ entries: QueueEntry[] }>("/api/review/queue", { assessment_id: assessment }), [assessment]);
  const rows = useAsync(
    async () => {
      const text = await request<string>("GET", "/api/results/export", {
        query: { format: "json", assessment_id: assessment, user }, text: true,
      });
      return JSON.parse(text) as ExportRow[];
    },
    [assessment, user],
  );
  const apply = (event: Event): void => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (filterAssessment) query.set("assessment", filterAssessment);
    if (filterUser.trim()) query.set("user", filterUser.trim());
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
          <div class="table-wrap">
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
        {rows.loading ? <Loading /> : null}
        <ErrorBox error={rows.error} onRetry={rows.reload} />
        {rows.data && !rows.data.length ? <p class="muted">No attempt matches.</p> : null}
        {rows.data?.length ? (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr><th scope="col">Candidate</th><th scope="col">Assessment</th><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Score</th><th scope="col">Time</th><th scope="col"><span class="sr-only">Open</span></th></tr>
              </thead>
              <tbody>
                {[...rows.data].reverse().map((r) => (
                  <tr key={r.attempt_id}>
                    <td>{r.user}</td>
                    <td>{r.title} <span class="muted small">#{r.number}</span></td>
                    <td>{formatDate(r.started_at)}</td>
                    <td><StatusBadge status={r.state || r.status} /></td>
                    <td>{r.percentage.toFixed(1)} % {r.grade ? <span class="muted small">({r.grade})</span> : null}</td>
                    <td>{formatDuration(r.time_spent_s)}</td>
                    <td><Link class="btn btn-small" href={`/reports/${r.attempt_id}`}>Report</Link></td>
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
