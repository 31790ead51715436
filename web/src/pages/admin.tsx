// Administrators: the accounts (filter by role), a new account with its role, a role change, turning an
// account off or on, and a one-time password-reset link to pass on (no mail is sent).

import type { JSX } from "preact";
import { useMemo, useState } from "preact/hooks";

import { currentUser, get, parseTime, post, request } from "../api";
import { ErrorsProvider, SelectField, TextField, requestErrors } from "../fields";
import type { Role, UserOut } from "../types";
import { CopyButton, ErrorBox, Loading, Notice, Page, formatDate, useAsync } from "../ui";

const ROLES: Role[] = ["candidate", "author", "reviewer", "admin"];
const PAGE_SIZE = 50;

interface ResetLink {
  token: string;
  link: string;
  expires_at: string;
}

function CreateUser({ onCreated }: { onCreated: (user: UserOut) => void }): JSX.Element {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("candidate");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = useMemo(() => requestErrors(error), [error]);

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { email: email.trim(), name: name.trim(), role };
      if (password) body["password"] = password;
      const user = await post<UserOut>("/api/users", body);
      setEmail("");
      setName("");
      setPassword("");
      onCreated(user);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={(e) => void create(e)} aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create an account</h2>
      <ErrorsProvider errors={errors}>
        <div class="grid-4 tight">
          <TextField id="new-email" path="email" label="Email" type="email" required value={email} onChange={setEmail} />
          <TextField id="new-name" path="name" label="Name" value={name} onChange={setName} />
          <SelectField id="new-role" path="role" label="Role" value={role} onChange={(v) => setRole(v as Role)}
            options={ROLES.map((r): [string, string] => [r, r])} />
          <TextField id="new-password" path="password" label="Password (optional)" type="password" value={password} onChange={setPassword}
            help="Leave empty and issue a reset link: its owner then sets one." />
        </div>
      </ErrorsProvider>
      {errors.size ? null : <ErrorBox error={error} />}
      <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? "Creating…" : "Create account"}</button>
    </form>
  );
}

function UserRow({ user, onChanged, onReset }: { user: UserOut; onChanged: (user: UserOut) => void; onReset: (user: UserOut, link: ResetLink) => void }): JSX.Element {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const me = currentUser()?.id === user.id;

  const act = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const patch = (changes: Partial<UserOut>): Promise<void> =>
    act(async () => onChanged(await request<UserOut>("PATCH", `/api/users/${encodeURIComponent(user.id)}`, { body: changes })));
  const reset = (): Promise<void> =>
    act(async () => onReset(user, await post<ResetLink>(`/api/users/${encodeURIComponent(user.id)}/password-reset`)));

  return (
    <tr>
      <td>
        {user.email}
        {me ? <span class="muted small"> (you)</span> : null}
        <div class="muted small">{user.name}</div>
      </td>
      <td>
        <label class="sr-only" for={`role-${user.id}`}>Role of {user.email}</label>
        <select id={`role-${user.id}`} value={user.role} disabled={busy || me}
          onChange={(e) => void patch({ role: (e.currentTarget as HTMLSelectElement).value as Role })}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </td>
      <td>{user.active ? "active" : "turned off"}{user.has_password ? "" : " · no password yet"}</td>
      <td>{formatDate(user.created_at)}</td>
      <td class="row-actions">
        <button type="button" class="btn btn-small" disabled={busy} onClick={() => void reset()} aria-label={`Password-reset link for ${user.email}`}>
          Reset link
        </button>
        {me ? null : (
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void patch({ active: !user.active })}
            aria-label={`${user.active ? "Turn off" : "Turn on"} ${user.email}`}>
            {user.active ? "Turn off" : "Turn on"}
          </button>
        )}
        <ErrorBox error={error} />
      </td>
    </tr>
  );
}

export function UsersPage(): JSX.Element {
  const [role, setRole] = useState("");
  const [offset, setOffset] = useState(0);
  const users = useAsync(() => get<{ users: UserOut[]; total: number }>("/api/users", { role, limit: PAGE_SIZE, offset }), [role, offset]);
  const [message, setMessage] = useState<string | null>(null);
  const [reset, setReset] = useState<{ user: UserOut; link: ResetLink } | null>(null);

  const replace = (changed: UserOut): void => {
    if (!users.data) return;
    users.setData({ ...users.data, users: users.data.users.map((u) => (u.id === changed.id ? changed : u)) });
    setMessage(`${changed.email} is now ${changed.active ? "an active" : "a turned-off"} ${changed.role} account.`);
  };

  return (
    <Page title="Users" wide>
      <CreateUser onCreated={(user) => { setMessage(`Created ${user.email} (${user.role}).`); users.reload(); }} />
      {message ? <Notice kind="success">{message}</Notice> : null}
      {reset ? (
        <section class="card" aria-labelledby="reset-title">
          <h2 id="reset-title">Password-reset link for {reset.user.email}</h2>
          <p>
            <code class="link-text">{reset.link.link}</code>{" "}
            <CopyButton text={reset.link.link} label="Copy link" description={`Copy the reset link for ${reset.user.email}`} />
          </p>
          <p class="muted small">It works once, until {parseTime(reset.link.expires_at).toLocaleString()}. No mail is sent: pass it on.</p>
        </section>
      ) : null}
      <section aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts</h2>
        <div class="inline-form">
          <label for="users-role">Show</label>
          <select id="users-role" value={role} onChange={(e) => { setRole((e.currentTarget as HTMLSelectElement).value); setOffset(0); }}>
            <option value="">every role</option>
            {ROLES.map((r) => <option key={r} value={r}>{r}s</option>)}
          </select>
        </div>
        {users.loading ? <Loading /> : null}
        <ErrorBox error={users.error} onRetry={users.reload} />
        {users.data ? (
          <>
            <p class="muted" role="status">{users.data.total} {users.data.total === 1 ? "account" : "accounts"}</p>
            <div class="table-wrap" tabIndex={0}>
              <table class="table">
                <thead>
                  <tr><th scope="col">Account</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
                </thead>
                <tbody>
                  {users.data.users.map((user) => (
                    <UserRow key={user.id} user={user} onChanged={replace} onReset={(u, link) => setReset({ user: u, link })} />
                  ))}
                </tbody>
              </table>
            </div>
            {users.data.total > PAGE_SIZE ? (
              <nav class="pager" aria-label="Pages">
                <button type="button" class="btn" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>Previous</button>
                <span>{offset + 1}–{Math.min(offset + PAGE_SIZE, users.data.total)} of {users.data.total}</span>
                <button type="button" class="btn" disabled={offset + PAGE_SIZE >= users.data.total} onClick={() => setOffset(offset + PAGE_SIZE)}>Next</button>
              </nav>
            ) : null}
          </>
        ) : null}
      </section>
    </Page>
  );
}
