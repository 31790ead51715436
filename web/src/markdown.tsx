// Markdown from the bank (question text, instructions, hints, assistant replies), rendered and sanitised.
// Authors are trusted less than the app: every HTML fragment goes through DOMPurify before it is shown.

import DOMPurify from "dompurify";
import { Marked } from "marked";
import type { JSX } from "preact";

const marked = new Marked({ gfm: true, breaks: false, async: false });

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

export function renderMarkdown(text: string): string {
  const html = marked.parse(text) as string;
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe"],
    FORBID_ATTR: ["style"],
  });
}

/** Fill-in-the-blank text: `{{n}}` markers become empty `<span data-blank="n">` slots for inline inputs. */
export function renderWithBlanks(text: string): string {
  const html = renderMarkdown(text.replace(/\{\{\s*(\d+)\s*\}\}/g, "CSBLANK$1CSEND"));
  return html.replace(/CSBLANK(\d+)CSEND/g, '<span class="blank-slot" data-blank="$1"></span>');
}

export function Markdown({ text, class: className }: { text: string; class?: string }): JSX.Element {
  return <div class={`markdown ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}
