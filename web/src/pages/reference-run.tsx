// "Run the reference solution" (code questions) and "Check the key" (the other types): the draft as it is in
// the editor, unsaved, goes through the checks of `sensei bank verify`, and each check's outcome is shown,
// with every test's verdict, time and memory for a judged solution (hidden tests too: this is the author's view).

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { verifyQuestion } from "../api";
import type { VerifyCheck, VerifyReport } from "../types";
import { ErrorBox, Loading, formatKb, formatMs } from "../ui";

const OUTCOME_NAMES: Record<VerifyCheck["outcome"], string> = { passed: "passed", failed: "failed", skipped: "skipped" };

function Outcome({ outcome }: { outcome: VerifyCheck["outcome"] }): JSX.Element {
  return <span class={`verdict verdict-${outcome === "passed" ? "ok" : "bad"}`}>{OUTCOME_NAMES[outcome]}</span>;
}

function CheckResult({ check }: { check: VerifyCheck }): JSX.Element {
  return (
    <li class={`test-row ${check.outcome === "passed" ? "pass" : "fail"}`} data-check={check.check}>
      <p>
        <strong>{check.check}</strong> <Outcome outcome={check.outcome} /> <span class="muted small">{check.detail}</span>
      </p>
      {check.tests.length ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" aria-label={`Tests of ${check.check}`}>
            <thead>
              <tr><th scope="col">Test</th><th scope="col">Visibility</th><th scope="col">Verdict</th><th scope="col">CPU time</th><th scope="col">Memory</th><th scope="col">Message</th></tr>
            </thead>
            <tbody>
              {check.tests.map((test) => (
                <tr key={test.name} data-test={test.name}>
                  <td>{test.name}</td>
                  <td>{test.visibility}</td>
                  <td><span class={`verdict verdict-${test.passed ? "ok" : "bad"}`}>{test.verdict}</span></td>
                  <td>{formatMs(test.time_ms)}</td>
                  <td>{formatKb(test.memory_kb)}</td>
                  <td class="small">{test.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </li>
  );
}

export function ReferenceRun({ question }: { question: Record<string, unknown> }): JSX.Element {
  const code = question["type"] === "code";
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await verifyQuestion(question));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="reference-run" aria-labelledby="reference-run-title" aria-busy={busy}>
      <h3 id="reference-run-title">{code ? "Reference solutions" : "Answer key"}</h3>
      <p class="muted small">
        {code
          ? "Judges each solution of the draft in the sandbox on every test, hidden ones included: accepted ones must pass within a quarter of the time limit, wrong ones must fail a hidden test."
          : "Grades the draft's own key: it must earn full marks."}
      </p>
      <button type="button" class="btn" disabled={busy} onClick={() => void run()}>
        {busy ? (code ? "Running…" : "Checking…") : code ? "Run the reference solution" : "Check the key"}
      </button>
      {busy ? <Loading label={code ? "Judging the solutions in the sandbox…" : "Grading the key…"} /> : null}
      <ErrorBox error={error} />
      {report ? (
        <div role="status">
          <p class={report.ok ? "alert alert-success" : "alert alert-error"}>
            {report.ok ? "Every check passed" : `${report.failed} of ${report.checks.length} checks failed`}: {report.passed} passed,{" "}
            {report.failed} failed, {report.skipped} skipped in {report.seconds.toFixed(1)} s.
          </p>
          <ul class="tests">
            {report.checks.map((check) => <CheckResult key={check.check} check={check} />)}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
