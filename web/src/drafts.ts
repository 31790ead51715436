// Work in progress, kept in this browser: one entry per attempt and question, written as the candidate types.
// Answers reach the server only when the candidate submits them (POST /answer), as the API defines.

const PREFIX = "codesensei.draft.";
const NOTES = "codesensei.notes.";

export interface CodeDraft {
  language: string;
  sources: Record<string, string>;
}

export interface Draft {
  /** The answer being built, in the shape of its question type (see answers.tsx). */
  value: unknown;
  savedAt: number;
}

function key(attemptId: string, questionId: string): string {
  return `${PREFIX}${attemptId}.${questionId}`;
}

export function loadDraft(attemptId: string, questionId: string): Draft | null {
  try {
    const raw = localStorage.getItem(key(attemptId, questionId));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

/** Save; false when the browser refused (storage full or disabled). */
export function saveDraft(attemptId: string, questionId: string, value: unknown): boolean {
  try {
    localStorage.setItem(key(attemptId, questionId), JSON.stringify({ value, savedAt: Date.now() } satisfies Draft));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(attemptId: string, questionId: string): void {
  localStorage.removeItem(key(attemptId, questionId));
}

/** Forget every draft and note of a finished attempt. */
export function clearAttempt(attemptId: string): void {
  const doomed: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const name = localStorage.key(i);
    if (name && (name.startsWith(`${PREFIX}${attemptId}.`) || name.startsWith(`${NOTES}${attemptId}.`))) doomed.push(name);
  }
  doomed.forEach((name) => localStorage.removeItem(name));
}

/** Things shown once by the server that the page must keep across reloads (hints, assistant replies). */
export interface Notes {
  hints: { number: number; text: string; penalty: number }[];
  assistant: { kind: string; message: string; text: string; provider: string; at: number }[];
}

export function loadNotes(attemptId: string, questionId: string): Notes {
  try {
    const raw = localStorage.getItem(`${NOTES}${attemptId}.${questionId}`);
    if (raw) {
      const parsed = JSON.parse(raw) as Partial<Notes>;
      return { hints: parsed.hints ?? [], assistant: parsed.assistant ?? [] };
    }
  } catch {
    // fall through
  }
  return { hints: [], assistant: [] };
}

export function saveNotes(attemptId: string, questionId: string, notes: Notes): void {
  try {
    localStorage.setItem(`${NOTES}${attemptId}.${questionId}`, JSON.stringify(notes));
  } catch {
    // storage full: the notes are still on screen
  }
}
