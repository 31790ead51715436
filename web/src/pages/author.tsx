// Authors: the bank browser (search and filters), the list of assessments with publishing, and invitations
// with their one-time links. The question editor and the assessment builder have their own modules.

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

import { get, post, request } from "../api";
import { LANGUAGE_NAMES, languageName } from "../editor";
import { SelectField, TextField } from "../fields";
import { Link, navigate } from "../router";
import { type AssessmentBrief, type AssessmentOut, type InvitationOut, type QuestionPage, type QuestionSummary, TYPES } from "../types";
import { CopyButton, DifficultyBadge, ErrorBox, Loading, Page, StatusBadge, formatDate, useAsync } from "../ui";

const LANGUAGES = Object.keys(LANGUAGE_NAMES);
const PAGE_SIZE = 25;

// ---- the bank browser ------------------------------------------------------------------------------

export function BankPage({ query }: { query: URLSearchParams }): JSX.Element {
  const q = query.get("q") ?? "";
  const type = query.get("type") ?? "";
  const topic = query.get("topic") ?? "";
  const difficulty = query.get("difficulty") ?? "";
  const language = query.get("language") ?? "";
  const archived = query.get("archived") === "1";
  const offset = Number(query.get("offset") ?? 0) || 0;
  const [form, setForm] = useState({ q, type, topic, difficulty, language, archived: archived ? "1" : "" });
  useEffect(
    () => setForm({ q, type, topic, difficulty, language, archived: archived ? "1" : "" }),
    [q, type, topic, difficulty, language, archived],
  );
  const page = useAsync(
    () => get<QuestionPage>("/api/questions", {
      q, type, topic: topic ? topic.split(",").map((t) => t.trim()).filter(Boolean) : null, difficulty, language,
      include_inactive: archived || undefined, limit: PAGE_SIZE, offset,
    }),
    [q, type, topic, difficulty, language, archived, offset],
  );

  const go = (changes: Record<string, string | number>): void => {
    const params = new URLSearchParams();
    const merged = { ...form, offset: 0, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, String(value));
    const encoded = params.toString();
    navigate(`/bank${encoded ? `?${encoded}` : ""}`);
  };

  return (
    <Page title="Question bank" wide actions={<Link class="btn btn-primary" href="/bank/edit">New question</Link>}>
      <form class="filters" role="search" aria-label="Search the bank" onSubmit={(e) => { e.preventDefault(); go({}); }}>
        <TextField id="bank-q" label="Search" value={form.q} onChange={(v) => setForm({ ...form, q: v })} placeholder="words in title or text" />
        <SelectField id="bank-type" label="Type" value={form.type} onChange={(v) => setForm({ ...form, type: v })}
          options={[["", "Any type"], ...TYPES.map((t): [string, string] => [t, t.replace(/_/g, " ")])]} />
        <TextField id="bank-topic" label="Topic" value={form.topic} onChange={(v) => setForm({ ...form, topic: v })} placeholder="e.g. arrays" />
        <SelectField id="bank-difficulty" label="Difficulty" value={form.difficulty} onChange={(v) => setForm({ ...form, difficulty: v })}
          options={[["", "Any"], ["easy", "easy"], ["medium", "medium"], ["hard", "hard"]]} />
        <SelectField id="bank-language" label="Language" value={form.language} onChange={(v) => setForm({ ...form, language: v })}
          options={[["", "Any"], ...LANGUAGES.map((l): [string, string] => [l, languageName(l)])]} />
        <label class="check" for="bank-archived">
          <input id="bank-archived" type="checkbox" checked={form.archived === "1"}
            onChange={(e) => setForm({ ...form, archived: (e.currentTarget as HTMLInputElement).checked ? "1" : "" })} />
          Archived too
        </label>
        <button type="submit" class="btn btn-primary">Search</button>
      </form>
      {page.loading ? <Loading /> : null}
      <ErrorBox error={page.error} onRetry={page.reload} />
      {page.data ? (
        <>
          <p class="muted" role="status">{page.data.total} {page.data.total === 1 ? "question" : "questions"}{q ? ` match “${q}”` : ""}</p>
          <QuestionTable items={page.data.items} />
          {!q && page.data.total > PAGE_SIZE ? (
            <nav class="pager" aria-label="Pages">
              <button type="button" class="btn" disabled={offset === 0} onClick={() => go({ ...form, offset: Math.max(0, offset - PAGE_SIZE) })}>Previous</button>
              <span>{offset + 1}–{Math.min(offset + PAGE_SIZE, page.data.total)} of {page.data.total}</span>
              <button type="button" class="btn" disabled={offset + PAGE_SIZE >= page.data.total} onClick={() => go({ ...form, offset: offset + PAGE_SIZE })}>Next</button>
            </nav>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

export function QuestionTable({ items, onAdd, added }: { items: QuestionSummary[]; onAdd?: (q: QuestionSummary) => void; added?: Set<string> }): JSX.Element {
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="table">
        <thead>
          <tr><th scope="col">Question</th><th scope="col">Type</th><th scope="col">Difficulty</th><th scope="col">Topics</th><th scope="col">Languages</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <td>
                <Link href={`/bank/edit?id=${encodeURIComponent(item.id)}`}>{item.title}</Link>
                <div class="muted small mono">{item.id} · v{item.version}</div>
              </td>
              <td>{item.type.replace(/_/g, " ")}{item.active === false ? <> · <StatusBadge status="archived" /></> : null}</td>
              <td><DifficultyBadge difficulty={item.difficulty} /></td>
              <td>{item.topics.join(", ")}</td>
              <td>{item.languages.map(languageName).join(", ")}</td>
              <td>
                {onAdd ? (
                  <button type="button" class="btn btn-small" disabled={added?.has(item.id)} onClick={() => onAdd(item)}>
                    {added?.has(item.id) ? "Added" : "Add"}<span class="sr-only"> {item.title}</span>
                  </button>
                ) : (
                  <Link class="btn btn-small" href={`/bank/edit?id=${encodeURIComponent(item.id)}`}>Edit</Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---- assessments: list, builder, publishing, invitations ---------------------------------------------

export function AssessmentsAdminPage(): JSX.Element {
  const [archived, setArchived] = useState(false);
  const assessments = useAsync(
    () => get<{ assessments: AssessmentBrief[] }>("/api/assessments", { include_archived: archived || undefined }),
    [archived],
  );
  const [error, setError] = useState<unknown>(null);
  /** Publish, archive or unarchive one assessment, then list them again. */
  const act = async (id: string, action: "publish" | "archive" | "unarchive"): Promise<void> => {
    setError(null);
    try {
      await post<AssessmentOut>(`/api/assessments/${encodeURIComponent(id)}/${action}`);
      assessments.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Page title="Manage assessments" wide actions={<Link class="btn btn-primary" href="/author/assessments/new">New assessment</Link>}>
      <label class="check" for="show-archived">
        <input id="show-archived" type="checkbox" checked={archived} onChange={(e) => setArchived((e.currentTarget as HTMLInputElement).checked)} />
        Show archived assessments
      </label>
      {assessments.loading ? <Loading /> : null}
      <ErrorBox error={assessments.error ?? error} />
      {assessments.data ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table">
            <thead>
              <tr><th scope="col">Assessment</th><th scope="col">Mode</th><th scope="col">Questions</th><th scope="col">Access</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {assessments.data.assessments.map((a) => (
                <tr key={a.id}>
                  <td>{a.title}<div class="muted small mono">{a.id}</div></td>
                  <td>{a.mode}</td>
                  <td>{a.questions}</td>
                  <td>{a.access}</td>
                  <td><StatusBadge status={a.status} /></td>
                  <td class="row-actions">
                    {a.status === "draft" ? (
                      <>
                        <Link class="btn btn-small" href={`/author/assessments/new?from=${encodeURIComponent(a.id)}`}>Edit</Link>
                        <button type="button" class="btn btn-small btn-primary" onClick={() => void act(a.id, "publish")}>
                          Publish<span class="sr-only"> {a.title}</span>
                        </button>
                      </>
                    ) : (
                      <Link class="btn btn-small" href={`/author/assessments/new?from=${encodeURIComponent(a.id)}`}>Copy</Link>
                    )}
                    <Link class="btn btn-small" href={`/author/assessments/${encodeURIComponent(a.id)}/invitations`}>Invitations</Link>
                    <Link class="btn btn-small" href={`/review?assessment=${encodeURIComponent(a.id)}`}>Results</Link>
                    <Link class="btn btn-small" href={`/metrics/assessments/${encodeURIComponent(a.id)}`}>Metrics</Link>
                    <button type="button" class="btn btn-small" onClick={() => void act(a.id, a.status === "archived" ? "unarchive" : "archive")}>
                      {a.status === "archived" ? "Unarchive" : "Archive"}<span class="sr-only"> {a.title}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}

export function InvitationsPage({ id }: { id: string }): JSX.Element {
  const invitations = useAsync(() => get<{ invitations: InvitationOut[] }>(`/api/assessments/${encodeURIComponent(id)}/invitations`), [id]);
  const [emails, setEmails] = useState("");
  const [expires, setExpires] = useState("");
  const [issued, setIssued] = useState<InvitationOut[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const invite = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { emails: emails.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean) };
      if (expires) body["expires_at"] = new Date(expires).toISOString();
      const out = await post<{ invitations: InvitationOut[] }>(`/api/assessments/${encodeURIComponent(id)}/invitations`, body);
      setIssued(out.invitations);
      setEmails("");
      invitations.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const download = async (): Promise<void> => {
    const text = await request<string>("GET", `/api/assessments/${encodeURIComponent(id)}/invitations`, { query: { format: "csv" }, text: true });
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `invitations-${id}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Page title={`Invitations: ${id}`} wide actions={<button type="button" class="btn" onClick={() => void download()}>Download CSV</button>}>
      <form class="card narrow-form" onSubmit={(e) => void invite(e)} aria-labelledby="invite-title">
        <h2 id="invite-title">Invite candidates</h2>
        <div class="field">
          <label for="invite-emails">Email addresses</label>
          <textarea id="invite-emails" rows={4} required value={emails} aria-describedby="invite-emails-help"
            onInput={(e) => setEmails((e.currentTarget as HTMLTextAreaElement).value)} />
          <p id="invite-emails-help" class="hint-text">One per line, or separated by commas. No mail is sent: pass each link on.</p>
        </div>
        <TextField id="invite-expires" label="Link valid until (optional)" type="datetime-local" value={expires} onChange={setExpires} />
        <ErrorBox error={error} />
        <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? "Inviting…" : "Create links"}</button>
      </form>
      {issued.length ? (
        <section aria-labelledby="issued-title">
          <h2 id="issued-title">New links</h2>
          <p class="muted">Each link works once and is shown only now.</p>
          <ul class="plain links">
            {issued.map((inv) => (
              <li key={inv.id}>
                <strong>{inv.email}</strong>{" "}
                {inv.link ? (
                  <>
                    <code class="link-text">{inv.link}</code> <CopyButton text={inv.link} label="Copy link" description={`Copy the link for ${inv.email}`} />
                  </>
                ) : (
                  <span class="muted">already claimed</span>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="all-invites-title">
        <h2 id="all-invites-title">All invitations</h2>
        {invitations.loading ? <Loading /> : null}
        <ErrorBox error={invitations.error} />
        {invitations.data && !invitations.data.invitations.length ? <p class="muted">Nobody is invited yet.</p> : null}
        {invitations.data?.invitations.length ? (
          <div class="table-wrap" tabIndex={0}>
            <table class="table">
              <thead>
                <tr><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Invited</th><th scope="col">Expires</th><th scope="col">Claimed</th></tr>
              </thead>
              <tbody>
                {invitations.data.invitations.map((inv) => (
                  <tr key={inv.id}>
                    <td>{inv.email}</td>
                    <td><StatusBadge status={inv.status} /></td>
                    <td>{formatDate(inv.created_at)}</td>
                    <td>{formatDate(inv.expires_at)}</td>
                    <td>{formatDate(inv.claimed_at)}</td>
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
