// The performance metrics dashboard: time spent, execution time, memory and score by topic × difficulty, from
// GET /api/metrics (running averages per `difficulty#topic` scope). Reviewers may look at any user's.

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

export function MetricsPage({ user }: { user: string | null }): JSX.Element {
  const me = currentUser();
  const staff = hasRole(me, "reviewer");
  const [who, setWho] = useState(user ?? "");
  const metrics = useAsync(() => get<MetricsOut>("/api/metrics", { user: user ?? undefined }), [user]);
  const scopes = (metrics.data?.scopes ?? []).map(split);
  const topics = [...new Set(scopes.filter((s) => s.topic !== "all").map((s) => s.topic))].sort();
  const overall = scopes.find((s) => s.difficulty === "all" && s.topic === "all")?.metric;
  const time = seriesOf(scopes, topics, (m) => Math.round(m.mean_time_s * 10) / 10);
  const exec = seriesOf(scopes, topics, (m) => (m.mean_exec_time_ms === null ? null : Math.round(m.mean_exec_time_ms * 100) / 100));
  const memory = seriesOf(scopes, topics, (m) => (m.mean_memory_kb === null ? null : Math.round((m.mean_memory_kb / 1024) * 10) / 10));
  const score = seriesOf(scopes, topics, (m) => Math.round(m.mean_score * 10) / 10);
  const hasExec = exec.some((s) => s.data.some((v) => v !== null));
  const rows = scopes.filter((s) => s.topic !== "all" && s.difficulty !== "all");

  return (
    <Page title={user && user !== me?.email ? `Metrics: ${user}` : "Your performance"} wide>
      {staff ? (
        <form
          class="inline-form"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            navigate(who.trim() ? `/metrics?user=${encodeURIComponent(who.trim())}` : "/metrics");
          }}
        >
          <label for="metrics-user">User</label>
          <input id="metrics-user" type="email" placeholder={me?.email} value={who} onInput={(e) => setWho((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="btn">Show</button>
        </form>
      ) : null}
      {metrics.loading ? <Loading /> : null}
      <ErrorBox error={metrics.error} onRetry={metrics.reload} />
      {metrics.data && !scopes.length ? (
        <p class="muted">No answers yet: metrics appear once questions have been answered.</p>
      ) : null}
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
          <div class="table-wrap">
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
    </Page>
  );
}
