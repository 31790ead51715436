// The code question's part of the question editor: languages, entry point, starter code per language,
// reference solutions, tests with their visibility and weight, the checker and the limits; and a run of the
// draft's reference solutions against its tests.

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { CodeEditor, LANGUAGE_NAMES, languageName } from "../editor";
import { Check, FieldMessages, JsonField, NumberField, RowList, SelectField, TextArea, TextField, fieldId, useFieldErrors } from "../fields";
import type { BankQuestion, Setter } from "./question-form";
import { ReferenceRun } from "./reference-run";

const LANGUAGES = Object.keys(LANGUAGE_NAMES);

type Test = Record<string, unknown> & { name: string; kind?: string; visibility?: string; weight?: number };
type Solution = { language: string; code: string; expect?: string };
type Limits = { time_s?: number; memory_mb?: number; output_kb?: number };
type CheckerObject = { name: string; abs_tol?: number; rel_tol?: number; program?: unknown };

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function languageOptions(languages: string[]): [string, string][] {
  return languages.map((l): [string, string] => [l, languageName(l)]);
}

export function CodeFields({ question, set }: { question: BankQuestion; set: Setter }): JSX.Element {
  const languages = list<string>(question["languages"]);
  const starter = (question["starter"] ?? {}) as Record<string, string>;
  const limits = (question["limits"] ?? {}) as Limits;
  const rawChecker = question["checker"];
  const checker: CheckerObject = typeof rawChecker === "string" ? { name: rawChecker } : ((rawChecker as CheckerObject | undefined) ?? { name: "exact" });
  const languagesError = useFieldErrors("languages");

  const toggleLanguage = (language: string, on: boolean): void => {
    const next = on ? [...languages, language].sort((a, b) => LANGUAGES.indexOf(a) - LANGUAGES.indexOf(b)) : languages.filter((l) => l !== language);
    // Starter code of a language no longer offered would be refused: it goes with the language.
    const kept = Object.fromEntries(Object.entries(starter).filter(([l]) => next.includes(l)));
    set({ languages: next, starter: kept });
  };
  const setChecker = (changes: Partial<CheckerObject>): void => {
    const next = { ...checker, ...changes };
    set({ checker: next.name === "float" || next.program ? next : next.name });
  };

  return (
    <>
      <fieldset>
        <legend>Programming</legend>
        <fieldset class="checks-inline" aria-describedby={languagesError.length ? `${fieldId("languages")}-error` : undefined}>
          <legend>Languages the candidate may use</legend>
          {LANGUAGES.map((language) => (
            <Check key={language} id={`q-lang-${language}`} label={languageName(language)} checked={languages.includes(language)}
              onChange={(on) => toggleLanguage(language, on)} />
          ))}
          <FieldMessages id={`${fieldId("languages")}-error`} messages={languagesError} />
        </fieldset>
        <div class="grid-3 tight">
          <TextField id="q-entry" path="entry_point" label="Entry point (function name)" value={str(question["entry_point"])}
            onChange={(v) => set({ entry_point: v || undefined })} help="Needed for call tests; empty for programs that read stdin." />
          <SelectField id="q-checker" path="checker" label="Output checker" value={checker.program ? "custom" : checker.name}
            onChange={(v) => setChecker({ name: v })}
            options={[["exact", "Exact"], ["tokens", "Tokens (ignores spacing)"], ["float", "Numbers with a tolerance"],
              ["unordered_lines", "Lines in any order"], ["case_insensitive", "Ignoring case"],
              ...(checker.program ? [["custom", "Custom program (edit in JSON)"] as [string, string]] : [])]} />
          {checker.name === "float" ? (
            <NumberField id="q-checker-tol" path="checker.abs_tol" label="Absolute tolerance" step="any" min="0" value={checker.abs_tol ?? 1e-6}
              onChange={(v) => setChecker({ abs_tol: v ?? 1e-6 })} />
          ) : null}
        </div>
        <div class="grid-3 tight">
          <NumberField id="q-time" path="limits.time_s" label="CPU time limit (s)" step="any" min="0" value={limits.time_s ?? 2}
            onChange={(v) => set({ limits: { ...limits, time_s: v ?? 2 } })} />
          <NumberField id="q-memory" path="limits.memory_mb" label="Memory limit (MB)" min="16" value={limits.memory_mb ?? 256}
            onChange={(v) => set({ limits: { ...limits, memory_mb: v ?? 256 } })} />
          <NumberField id="q-output" path="limits.output_kb" label="Output limit (KB)" min="1" value={limits.output_kb ?? 1024}
            onChange={(v) => set({ limits: { ...limits, output_kb: v ?? 1024 } })} />
        </div>
      </fieldset>
      <StarterFields languages={languages} starter={starter} onChange={(next) => set({ starter: next })} />
      <TestFields tests={list<Test>(question["tests"])} languages={languages} onChange={(tests) => set({ tests })} />
      <SolutionFields solutions={list<Solution>(question["solutions"])} languages={languages} onChange={(solutions) => set({ solutions })} />
      <ReferenceRun question={question} />
    </>
  );
}

function StarterFields({ languages, starter, onChange }: { languages: string[]; starter: Record<string, string>; onChange: (s: Record<string, string>) => void }): JSX.Element {
  const [chosen, setChosen] = useState(languages[0] ?? "python");
  const language = languages.includes(chosen) ? chosen : languages[0] ?? "python";
  const errors = useFieldErrors("starter");
  return (
    <fieldset>
      <legend>Starter code</legend>
      <SelectField id="q-starter-language" label="Starter code for" value={language} options={languageOptions(languages)} onChange={setChosen} />
      <CodeEditor key={`starter-${language}`} value={starter[language] ?? ""} language={language} label={`Starter code, ${languageName(language)}`}
        onChange={(code) => onChange({ ...starter, [language]: code })} minHeight="140px" />
      <FieldMessages id={`${fieldId("starter")}-error`} messages={errors} />
    </fieldset>
  );
}

function TestFields({ tests, languages, onChange }: { tests: Test[]; languages: string[]; onChange: (tests: Test[]) => void }): JSX.Element {
  const kind = tests[0]?.kind ?? "call";
  return (
    <fieldset>
      <legend>Tests</legend>
      <RowList legend="Tests (sample ones are shown to the candidate; hidden ones only grade)" noun="test" path="tests" min={1} ordered items={tests}
        onChange={onChange}
        make={() => ({ name: `test-${tests.length + 1}`, kind, visibility: "hidden", ...(kind === "stdio" ? { input: "", expected: "" } : { args: [], expected: null }) })}
        render={(test, i, update) => <TestRow test={test} index={i} languages={languages} update={update} />} />
    </fieldset>
  );
}

function TestRow({ test, index: i, languages, update }: { test: Test; index: number; languages: string[]; update: (t: Test) => void }): JSX.Element {
  const kind = test.kind ?? "stdio";
  const path = `tests[${i}]`;
  const changeKind = (next: string): void => {
    const common = { name: test.name, kind: next, visibility: test.visibility, weight: test.weight };
    const own: Record<string, Record<string, unknown>> = {
      stdio: { input: "", expected: "" },
      call: { args: [], expected: null },
      script: { language: languages[0] ?? "python", code: "" },
      source: { check: "contains", expected: "" },
    };
    update({ ...common, ...(own[next] ?? {}) } as Test);
  };
  return (
    <div class="test-edit">
      <div class="grid-4 tight">
        <TextField id={`q-test-name-${i}`} path={`${path}.name`} label={`Test ${i + 1} name`} value={test.name} onChange={(v) => update({ ...test, name: v })} />
        <SelectField id={`q-test-kind-${i}`} path={`${path}.kind`} label="Kind" value={kind} onChange={changeKind}
          options={[["stdio", "stdin → stdout"], ["call", "function call"], ["script", "test script"], ["source", "check of the source"]]} />
        <SelectField id={`q-test-visibility-${i}`} path={`${path}.visibility`} label="Visibility" value={test.visibility ?? "hidden"}
          onChange={(v) => update({ ...test, visibility: v })} options={[["sample", "sample (shown)"], ["hidden", "hidden"]]} />
        <NumberField id={`q-test-weight-${i}`} path={`${path}.weight`} label="Weight" step="any" min="0" value={test.weight ?? 1}
          onChange={(v) => update({ ...test, weight: v ?? 1 })} />
      </div>
      {kind === "stdio" ? (
        <div class="grid-2 tight">
          <TextArea id={`q-test-input-${i}`} path={`${path}.input`} label="Input (stdin)" mono rows={2} value={str(test["input"])}
            onChange={(v) => update({ ...test, input: v })} />
          <TextArea id={`q-test-expected-${i}`} path={`${path}.expected`} label="Expected output" mono rows={2} value={str(test["expected"])}
            onChange={(v) => update({ ...test, expected: v })} />
        </div>
      ) : null}
      {kind === "call" ? (
        <div class="grid-2 tight">
          <JsonField id={`q-test-args-${i}`} path={`${path}.args`} label="Arguments (a JSON list)" value={test["args"] ?? []}
            onChange={(v) => update({ ...test, args: v })} />
          <JsonField id={`q-test-expected-${i}`} path={`${path}.expected`} label="Expected return value (JSON)" value={test["expected"]}
            onChange={(v) => update({ ...test, expected: v })} />
        </div>
      ) : null}
      {kind === "script" ? (
        <>
          <SelectField id={`q-test-language-${i}`} path={`${path}.language`} label="Script language" value={str(test["language"]) || (languages[0] ?? "python")}
            options={languageOptions(languages)} onChange={(v) => update({ ...test, language: v })} />
          <TextArea id={`q-test-code-${i}`} path={`${path}.code`} label="Test code (asserts run with the candidate's names in scope)" mono rows={3}
            value={str(test["code"])} onChange={(v) => update({ ...test, code: v })} />
        </>
      ) : null}
      {kind === "source" ? (
        <div class="grid-2 tight">
          <SelectField id={`q-test-check-${i}`} path={`${path}.check`} label="The source must" value={str(test["check"]) || "contains"}
            options={[["contains", "contain"], ["not_contains", "not contain"], ["regex", "match the pattern"]]} onChange={(v) => update({ ...test, check: v })} />
          <TextField id={`q-test-text-${i}`} path={`${path}.expected`} label="Text or pattern" value={str(test["expected"])}
            onChange={(v) => update({ ...test, expected: v })} />
        </div>
      ) : null}
    </div>
  );
}

function SolutionFields({ solutions, languages, onChange }: { solutions: Solution[]; languages: string[]; onChange: (s: Solution[]) => void }): JSX.Element {
  return (
    <fieldset>
      <legend>Reference solutions</legend>
      <RowList legend="Solutions (an accepted one proves the tests; wrong and slow ones prove the tests catch them)" noun="solution" path="solutions"
        items={solutions} onChange={onChange} make={() => ({ language: languages[0] ?? "python", code: "", expect: "accepted" })}
        render={(solution, i, update) => (
          <div>
            <div class="grid-2 tight">
              <SelectField id={`q-sol-language-${i}`} path={`solutions[${i}].language`} label={`Solution ${i + 1} language`} value={solution.language}
                options={languageOptions(languages.includes(solution.language) ? languages : [...languages, solution.language])}
                onChange={(v) => update({ ...solution, language: v })} />
              <SelectField id={`q-sol-expect-${i}`} path={`solutions[${i}].expect`} label="It should be" value={solution.expect ?? "accepted"}
                options={[["accepted", "accepted"], ["wrong", "wrong (fails a test)"], ["slow", "too slow"]]} onChange={(v) => update({ ...solution, expect: v })} />
            </div>
            <CodeEditor key={`solution-${i}-${solutions.length}`} value={solution.code} language={solution.language}
              docKey={`${i}:${solutions.length}:${solution.language}`} label={`Solution ${i + 1}, ${languageName(solution.language)}`}
              onChange={(code) => update({ ...solution, code })} minHeight="120px" />
          </div>
        )} />
    </fieldset>
  );
}
