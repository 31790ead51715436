// The API client: JSON over fetch, the sign-in session (access + rotating refresh token) and its renewal.
//
// The session lives in localStorage so that a reload (or a second tab) carries on signed in. A refresh
// token works once: tabs renew under one Web Lock and re-read storage first, so two tabs never spend the
// same token (the server would end the session as a reuse).

import type { ClaimResponse, Role, TokenResponse, UserOut, VerifyReport } from "./types";

const SESSION_KEY = "codesensei.session";
const RENEW_MARGIN_MS = 30_000;

export interface Session {
  accessToken: string;
  expiresAt: number;
  refreshToken: string;
  user: UserOut;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: { loc: (string | number)[]; message: string }[];

  constructor(status: number, code: string, message: string, details: ApiError["details"] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Server times without a zone are UTC (SQLite keeps naive values). */
export function parseTime(value: string): Date {
  return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);
}

function readStored(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    return parsed && typeof parsed.refreshToken === "string" ? parsed : null;
  } catch {
    return null;
  }
}

let session: Session | null = readStored();
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function store(next: Session | null): void {
  session = next;
  if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else localStorage.removeItem(SESSION_KEY);
  notify();
}

// Another tab signed in, out, or renewed the tokens.
window.addEventListener("storage", (event) => {
  if (event.key !== SESSION_KEY && event.key !== null) return;
  session = readStored();
  notify();
});

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentUser(): UserOut | null {
  return session?.user ?? null;
}

export function hasRole(user: UserOut | null, ...roles: Role[]): boolean {
  return !!user && (user.role === "admin" || roles.includes(user.role));
}

function fromTokens(tokens: TokenResponse): Session {
  // The client's own clock decides when to renew: the server says how many seconds the token lives.
  return {
    accessToken: tokens.access_token,
    expiresAt: Date.now() + tokens.expires_in * 1000,
    refreshToken: tokens.refresh_token,
    user: tokens.user,
  };
}

async function parseError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; details?: ApiError["details"] } };
    if (body.error?.code) {
      return new ApiError(response.status, body.error.code, body.error.message ?? response.statusText, body.error.details);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, "http_error", `${response.status} ${response.statusText}`.trim());
}

async function rawFetch(method: string, path: string, body: unknown, token: string | null, contentType?: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers["Authorization"] = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (typeof body === "string" && contentType) {
      headers["Content-Type"] = contentType;
      payload = body;
    } else {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
  }
  try {
    return await fetch(path, { method, headers, body: payload, cache: "no-store" });
  } catch {
    throw new ApiError(0, "network_error", "The server could not be reached. Check your connection and try again.");
  }
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return work();
  return locks.request("codesensei-refresh", work) as Promise<T>;
}

let renewing: Promise<boolean> | null = null;

/** Trade the refresh token for a new pair; false (and signed out) when the session cannot be renewed. */
export function renew(): Promise<boolean> {
  renewing ??= withLock(async () => {
    const before = session;
    const stored = readStored();
    if (!stored) {
      store(null);
      return false;
    }
    if (before && stored.refreshToken !== before.refreshToken && stored.expiresAt - Date.now() > RENEW_MARGIN_MS) {
      session = stored; // another tab renewed while this one waited for the lock
      notify();
      return true;
    }
    const response = await rawFetch("POST", "/api/auth/refresh", { refresh_token: stored.refreshToken }, null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 422) store(null);
      return false;
    }
    store(fromTokens((await response.json()) as TokenResponse));
    return true;
  }).finally(() => {
    renewing = null;
  });
  return renewing;
}

/** The access token to use now (renewed first when about to expire), or null when signed out. */
export async function freshAccessToken(): Promise<string | null> {
  if (session && session.expiresAt - Date.now() < RENEW_MARGIN_MS) await renew();
  return session?.accessToken ?? null;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | (string | number)[] | null | undefined>;
  /** Answer the raw text rather than parsed JSON. */
  text?: boolean;
}

function withQuery(path: string, query: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const encoded = params.toString();
  return encoded ? `${path}?${encoded}` : path;
}

/** One API call as the signed-in user (renewing the access token when it is about to expire). */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const url = withQuery(path, options.query);
  if (session && session.expiresAt - Date.now() < RENEW_MARGIN_MS) await renew();
  let response = await rawFetch(method, url, options.body, session?.accessToken ?? null, options.contentType);
  if (response.status === 401 && session) {
    // An expired or revoked access token: renew it (renewal signs out when the session is over) and retry.
    // A 401 after a successful renewal is about something else (a wrong current password, say).
    if (await renew()) {
      response = await rawFetch(method, url, options.body, session?.accessToken ?? null, options.contentType);
    }
  }
  if (!response.ok) throw await parseError(response);
  if (response.status === 204) return undefined as T;
  if (options.text) return (await response.text()) as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: RequestOptions["query"]): Promise<T> => request<T>("GET", path, { query });
export const post = <T>(path: string, body?: unknown): Promise<T> => request<T>("POST", path, { body: body ?? {} });

/** Run the checks of `sensei bank verify` on a question draft: its key, or its reference solutions in the sandbox. */
export const verifyQuestion = (question: Record<string, unknown>): Promise<VerifyReport> =>
  post<VerifyReport>("/api/questions/verify", { question });

export async function signIn(email: string, password: string): Promise<UserOut> {
  const response = await rawFetch("POST", "/api/auth/login", { email, password }, null);
  if (!response.ok) throw await parseError(response);
  const tokens = (await response.json()) as TokenResponse;
  store(fromTokens(tokens));
  return tokens.user;
}

export async function claimInvitation(token: string, password: string | null, name: string): Promise<ClaimResponse> {
  const body: Record<string, unknown> = { token, name };
  if (password) body["password"] = password;
  const response = await rawFetch("POST", "/api/invitations/claim", body, null);
  if (!response.ok) throw await parseError(response);
  const claimed = (await response.json()) as ClaimResponse;
  store(fromTokens(claimed));
  return claimed;
}

export async function resetPassword(token: string, newPassword: string): Promise<void> {
  const response = await rawFetch("POST", "/api/auth/reset", { token, new_password: newPassword }, null);
  if (!response.ok) throw await parseError(response);
}

export async function signOut(): Promise<void> {
  const ending = session;
  store(null);
  if (ending) {
    // Best effort: the tokens are gone from this browser whatever the server answers.
    await rawFetch("POST", "/api/auth/logout", { refresh_token: ending.refreshToken }, null).catch(() => undefined);
  }
}

/** Keep the stored user in step with the server (after a password change, say). */
export function updateUser(user: UserOut): void {
  if (session) store({ ...session, user });
}

/** A readable message for any failure. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
