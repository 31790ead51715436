// The performance metrics dashboards: time spent, execution time, memory and score by topic × difficulty, across
// assessments (GET /api/metrics, running averages per `difficulty#topic` scope) and per assessment
// (GET /api/metrics/assessments/{id}). Reviewers may look at any user's.

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { currentUser, get, hasRole } from "../api";
import { BarChart, SERIES_COLORS, type Series } from "../charts";
import { navigate } from "../router";
import type { Metric, MetricsOut } from "../types";
import { DifficultyBadge, ErrorBox, Loading, Page, formatDuration, formatKb, formatMs, useAsync } from "../ui";

const DIFFICULTIES = ["easy", "medium", "hard"];

interface Scope {
  difficulty: string;
  topic: string;
  metric: Metric;
}

function split(metric: Metric): Scope {
  const [difficulty = "all", topic = "all"] = metric.scope.split("#");
  return { difficulty, topic, metric };
}

function seriesOf(scopes: Scope[], topics: string[], value: (m: Metric) => number | null): Series[] {
  const present = DIFFICULTIES.filter((d) => scopes.some((s) => s.difficulty === d && s.topic !== "all"));
  return present.map((difficulty) => ({
    label: difficulty,
    color: SERIES_COLORS[difficulty] ?? "#58a6ff",
    data: topics.map((topic) => {
      const found = scopes.find((s) => s.difficulty === difficulty && s.topic === topic);
      return found ? value(found.metric) : null;
    }),
  }));
}

function describe(topics: string[], series: Series[], format: (v: number) => string): string {
  const parts: string[] = [];
  for (const s of series) {
    s.data.forEach((v, i) => {
      if (v !== null) parts.push(`${topics[i]} ${s.label}: ${format(v)}`);
    });
  }
  return parts.join("; ");
}

function Overall({ metric }: { metric: Metric | undefined }): JSX.Element | null {
  if (!metric) return null;
  return (
    <dl class="stat-cards">
      <div class="stat"><dt>Questions answered</dt><dd>{metric.count}</dd></div>
      <div class="stat"><dt>Average score</dt><dd>{metric.mean_score.toFixed(1)} %</dd></div>
      <div class="stat"><dt>Average time per question</dt><dd>{formatDuration(metric.mean_time_s)}</dd></div>
      <div class="stat"><dt>Programs run</dt><dd>{metric.executions}</dd></div>
      <div class="stat"><dt>Average execution time</dt><dd>{formatMs(metric.mean_exec_time_ms)}</dd></div>
      <div class="stat"><dt>Average peak memory</dt><dd>{formatKb(metric.mean_memory_kb)}</dd></div>
    </dl>
  );
}

/** The dashboard of a set of per-scope metrics: totals, charts by topic × difficulty, and the same numbers as a table. */
function Dashboard({ metrics }: { metrics: Metric[] }): JSX.Element {
  const scopes = metrics.map(split);
  const topics = [...new Set(scopes.filter((s) => s.topic !== "all").map((s) => s.topic))].sort();
  const overall = scopes.find((s) => s.difficulty === "all" && s.topic === "all")?.metric;
  const time = seriesOf(scopes, topics, (m) => Math.round(m.mean_time_s * 10) / 10);
  const exec = seriesOf(scopes, topics, (m) => (m.mean_exec_time_ms === null ? null : Math.round(m.mean_exec_time_ms * 100) / 100));
  const memory = seriesOf(scopes, topics, (m) => (m.mean_memory_kb === null ? null : Math.round((m.mean_memory_kb / 1024) * 10) / 10));
  const score = seriesOf(scopes, topics, (m) => Math.round(m.mean_score * 10) / 10);
  const hasExec = exec.some((s) => s.data.some((v) => v !== null));
  const rows = scopes.filter((s) => s.topic !== "all" && s.difficulty !== "all");

  if (!scopes.length) return <p class="muted">No answers yet: metrics appear once questions have been answered.</p>;
  return (
    <>
      <Overall metric={overall} />
      {topics.length ? (
        <div class="grid-2">
          <BarChart
            title="Average time spent per question"
            unit="seconds"
            labels={topics}
            series={time}
            description={describe(topics, time, (v) => `${v} s`)}
          />
          {hasExec ? (
            <BarChart
              title="Average execution time"
              unit="ms (CPU)"
              labels={topics}
              series={exec}
              description={describe(topics, exec, (v) => `${v} ms`)}
            />
          ) : null}
          {hasExec ? (
            <BarChart
              title="Average peak memory"
              unit="MB"
              labels={topics}
              series={memory}
              description={describe(topics, memory, (v) => `${v} MB`)}
            />
          ) : null}
          <BarChart
            title="Average score"
            unit="%"
            max={100}
            labels={topics}
            series={score}
            description={describe(topics, score, (v) => `${v} %`)}
          />
        </div>
      ) : null}
      {rows.length ? (
        <section aria-labelledby="scopes-title">
          <h2 id="scopes-title">By topic and difficulty</h2>
          <div class="table-wrap" tabIndex={0}>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col">Difficulty</th>
                  <th scope="col">Questions</th>
                  <th scope="col">Score</th>
                  <th scope="col">Time</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Execution time</th>
                  <th scope="col">Memory</th>
                </tr>
              </thead>
              <tbody>
                {rows
                  .sort((a, b) => a.topic.localeCompare(b.topic) || DIFFICULTIES.indexOf(a.difficulty) - DIFFICULTIES.indexOf(b.difficulty))
                  .map((s) => (
                    <tr key={s.metric.scope}>
                      <th scope="row">{s.topic}</th>
                      <td><DifficultyBadge difficulty={s.difficulty} /></td>
                      <td>{s.metric.count}</td>
                      <td>{s.metric.mean_score.toFixed(1)} %</td>
                      <td>{formatDuration(s.metric.mean_time_s)}</td>
                      <td>{s.metric.executions}</td>
                      <td>{formatMs(s.metric.mean_exec_time_ms)}</td>
                      <td>{formatKb(s.metric.mean_memory_kb)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}

/** Reviewers may look at anyone's metrics: a user filter that changes the page's query. */
function UserFilter({ user, base }: { user: string | null; base: string }): JSX.Element | null {
  const me = currentUser();
  const [who, setWho] = useState(user ?? "");
  if (!hasRole(me, "reviewer")) return null;
  return (
    <form
      class="inline-form"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(who.trim() ? `${base}?user=${encodeURIComponent(who.trim())}` : base);
      }}
    >
      <label for="metrics-user">User</label>
      <input id="metrics-user" type="email" placeholder={me?.email} value={who} onInput={(e) => setWho((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit" class="btn">Show</button>
    </form>
  );
}

export function MetricsPage({ user }: { user: string | null }): JSX.Element {
  const me = currentUser();
  const metrics = useAsync(() => get<MetricsOut>("/api/metrics", { user: user ?? undefined }), [user]);
  return (
    <Page title={user && user !== me?.email ? `Metrics: ${user}` : "Your performance"} wide>
      <UserFilter user={user} base="/metrics" />
      {metrics.loading ? <Loading /> : null}
      <ErrorBox error={metrics.error} onRetry={metrics.reload} />
      {metrics.data ? <Dashboard metrics={metrics.data.scopes} /> : null}
    </Page>
  );
}

interface AssessmentMetricsOut {
  assessment_id: string;
  title: string;
  user: string | null;
  scopes: Metric[];
}

/** One assessment's metrics (figure 13 per assessment): a candidate's own, or for reviewers everyone's or one user's. */
export function AssessmentMetricsPage({ id, user }: { id: string; user: string | null }): JSX.Element {
  const metrics = useAsync(
    () => get<AssessmentMetricsOut>(`/api/metrics/assessments/${encodeURIComponent(id)}`, { user: user ?? undefined }),
    [id, user],
  );
  const staff = hasRole(currentUser(), "reviewer");
  const title = metrics.data?.title ?? id;
  const whose = metrics.data ? (metrics.data.user ? ` · ${metrics.data.user}` : staff ? " · every candidate" : "") : "";
  return (
    <Page title={`Metrics: ${title}`} wide>
      <p class="muted">Time spent, execution time and memory by topic and difficulty{whose}.</p>
      <UserFilter user={user} base={`/metrics/assessments/${encodeURIComponent(id)}`} />
      {metrics.loading ? <Loading /> : null}
      <ErrorBox error={metrics.error} onRetry={metrics.reload} />
      {metrics.data ? <Dashboard metrics={metrics.data.scopes} /> : null}
    </Page>
  );
}
