// The assistant panel of the assessment view: the reply streams over the attempt's WebSocket as the model
// writes it (`assistant_delta` events, then `assistant_done`); the exchanges of this question come from the
// server, so a reload or another browser shows them too. Without a live connection it asks over HTTP.

import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";

import { ApiError, get, post } from "../api";
import { Markdown } from "../markdown";
import type { AttemptSocket } from "../socket";
import type { AssistantKind, AssistantReply, OwnExchange, QuestionView } from "../types";
import { ErrorBox } from "../ui";

const ASSISTANT_KINDS: { kind: AssistantKind; label: string; code: boolean }[] = [
  { kind: "explain", label: "Explain the problem", code: false },
  { kind: "debug", label: "Why do my tests fail?", code: true },
  { kind: "hint", label: "Give me a hint", code: false },
  { kind: "review", label: "Review my code", code: true },
  { kind: "chat", label: "Ask a question", code: false },
];

function labelOf(kind: string): string {
  return ASSISTANT_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

export function AssistantPanel(props: {
  attemptId: string;
  question: QuestionView;
  position: number | null;
  code: { language: string; source: string } | null;
  /** The kinds the assessment's policy allows (all when the server does not say). */
  allowed: AssistantKind[] | null;
  socket: AttemptSocket | null;
  /** False once the live connection is known to be unavailable (then the panel asks over HTTP). */
  socketUsable: boolean;
  /** A hint from the assistant costs like any hint: the page refreshes what it shows of them. */
  onHint: () => void;
  onClose: () => void;
}): JSX.Element {
  const kinds = ASSISTANT_KINDS.filter((k) => (!k.code || props.code) && (!props.allowed || props.allowed.includes(k.kind)));
  const [kind, setKind] = useState<AssistantKind>(kinds[0]?.kind ?? "explain");
  const [message, setMessage] = useState("");
  const [history, setHistory] = useState<OwnExchange[]>([]);
  const [streaming, setStreaming] = useState<{ request: string; text: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [usage, setUsage] = useState<{ used: number; limit: number } | null>(null);

  const loadHistory = useCallback(async (): Promise<void> => {
    try {
      const log = await get<{ exchanges: OwnExchange[] }>(`/api/attempts/${props.attemptId}/assistant/messages`);
      setHistory(log.exchanges.filter((e) => e.position === props.position));
    } catch (failure) {
      setError(failure);
    }
  }, [props.attemptId, props.position]);
  useEffect(() => {
    void loadHistory();
  }, [loadHistory]);

  const finished = (reply: AssistantReply): void => {
    setUsage(reply.tokens_limit ? { used: reply.tokens_used, limit: reply.tokens_limit } : null);
    if (reply.hint_number !== null) props.onHint();
  };

  const ask = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (streaming) return;
    setError(null);
    const request = message || labelOf(kind);
    const body: Record<string, unknown> = { kind, message };
    if (props.code) {
      body["code"] = props.code.source;
      body["language"] = props.code.language;
    }
    setStreaming({ request, text: "" });
    try {
      const socket = props.socket;
      // A socket still connecting takes the job and sends it once it is ready.
      if (socket && props.socketUsable && !socket.busy) {
        let text = "";
        const last = await socket.job({ type: "assistant", ...body }, (e) => {
          if (e.type === "assistant_delta") {
            text += e.text;
            setStreaming({ request, text });
          }
        });
        if (last.type === "error") throw new ApiError(0, last.code, last.message);
        if (last.type === "assistant_done") finished(last.reply);
      } else {
        finished(await post<AssistantReply>(`/api/attempts/${props.attemptId}/assistant`, body));
      }
      setMessage("");
      await loadHistory();
    } catch (failure) {
      setError(failure);
    } finally {
      setStreaming(null);
    }
  };

  return (
    <aside class="assistant" aria-labelledby="assistant-title">
      <div class="assistant-head">
        <h3 id="assistant-title">Assistant</h3>
        <button type="button" class="btn btn-small" onClick={props.onClose}>
          Close
        </button>
      </div>
      <ol class="chat">
        {history.map((entry) => (
          <li key={entry.created_at}>
            <p class="chat-you"><span class="sr-only">You: </span>{entry.request || labelOf(entry.kind)}</p>
            <div class="chat-reply">
              <span class="sr-only">Assistant: </span>
              <Markdown text={entry.reply} />
            </div>
          </li>
        ))}
        {streaming ? (
          <li>
            <p class="chat-you"><span class="sr-only">You: </span>{streaming.request}</p>
            <div class="chat-streaming" aria-busy="true">
              <span class="sr-only">Assistant, writing: </span>
              {streaming.text ? <Markdown text={streaming.text} class="assistant-streaming" /> : <p class="muted">Thinking…</p>}
            </div>
          </li>
        ) : null}
      </ol>
      {/* The finished reply is announced once, not every streamed word. */}
      <p class="sr-only" aria-live="polite">{streaming ? "" : history.length ? `Assistant: ${history[history.length - 1]?.reply ?? ""}` : ""}</p>
      <form class="assistant-form" onSubmit={(e) => void ask(e)}>
        <div class="field">
          <label for="assistant-kind">What do you need?</label>
          <select id="assistant-kind" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as AssistantKind)}>
            {kinds.map((k) => (
              <option value={k.kind} key={k.kind}>{k.label}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="assistant-message">Message{kind === "chat" ? "" : " (optional)"}</label>
          <textarea id="assistant-message" rows={3} value={message} required={kind === "chat"} maxLength={4000}
            onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} />
        </div>
        <p class="hint-text">
          The assistant sees this question{props.code ? " and your code" : ""}. Hints it gives may cost points.
        </p>
        <button type="submit" class="btn btn-primary" disabled={!!streaming}>
          {streaming ? "Writing…" : "Ask"}
        </button>
        {usage ? <p class="muted small">{usage.used} of {usage.limit} assistant tokens used</p> : null}
        <ErrorBox error={error} />
      </form>
    </aside>
  );
}
