// The code editor: CodeMirror 6 with highlighting for the six runner languages.
//
// Tab indents while the editor has focus; Escape then Tab (or Shift+Tab) moves focus out, as CodeMirror's
// accessibility guidance recommends. Ctrl/Cmd+Enter runs the sample tests.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  HighlightStyle,
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
  defaultHighlightStyle,
  type LanguageSupport,
} from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { oneDarkHighlightStyle, oneDarkTheme } from "@codemirror/theme-one-dark";
import {
  EditorView,
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";

export const LANGUAGE_NAMES: Record<string, string> = {
  python: "Python",
  javascript: "JavaScript",
  c: "C",
  cpp: "C++",
  java: "Java",
  rust: "Rust",
};

export function languageName(language: string): string {
  return LANGUAGE_NAMES[language] ?? language;
}

// Grammars load on first use (each is its own file), so pages without an editor never fetch them.
const loaders: Record<string, () => Promise<LanguageSupport>> = {
  python: () => import("@codemirror/lang-python").then((m) => m.python()),
  javascript: () => import("@codemirror/lang-javascript").then((m) => m.javascript()),
  c: () => import("@codemirror/lang-cpp").then((m) => m.cpp()),
  cpp: () => import("@codemirror/lang-cpp").then((m) => m.cpp()),
  java: () => import("@codemirror/lang-java").then((m) => m.java()),
  rust: () => import("@codemirror/lang-rust").then((m) => m.rust()),
  json: () => import("@codemirror/lang-json").then((m) => m.json()),
};
const loaded = new Map<string, Promise<LanguageSupport | null>>();

function languageSupport(language: string): Promise<LanguageSupport | null> {
  let found = loaded.get(language);
  if (!found) {
    const load = loaders[language];
    found = load ? load().catch(() => null) : Promise.resolve(null);
    loaded.set(language, found);
  }
  return found;
}

function indentFor(language: string): string {
  return language === "python" || language === "rust" || language === "java" ? "    " : "  ";
}

// One Dark with its three dimmest colours brightened: its comments and line numbers (#7d8799), names
// (#e06c75) and keywords (#c678dd) fall below WCAG AA's 4.5:1 on its own background and active line.
const BRIGHTER: Record<string, string> = { "#7d8799": "#a3abb9", "#e06c75": "#f28b94", "#c678dd": "#d492ea" };
const highlightStyle = HighlightStyle.define(
  oneDarkHighlightStyle.specs.map((spec) => (typeof spec.color === "string" ? { ...spec, color: BRIGHTER[spec.color] ?? spec.color } : spec)),
);

const theme = EditorView.theme({
  "&": { fontSize: "14px", height: "100%" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  "&.cm-focused": { outline: "none" },
  "&.cm-editor .cm-gutters": { color: "#a3abb9" },
  "&.cm-editor .cm-activeLineGutter": { color: "#e6edf3" },
});

export interface EditorProps {
  value: string;
  language: string;
  label: string;
  readOnly?: boolean;
  onChange?: (value: string) => void;
  onRun?: () => void;
  /** Changes when the document should be replaced from `value` (a language switch, a reset). */
  docKey?: string;
  minHeight?: string;
  wrap?: boolean;
}

export function CodeEditor(props: EditorProps): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const indent = useRef(new Compartment());
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    if (!host.current) return undefined;
    const extensions: Extension[] = [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      foldGutter(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      bracketMatching(),
      closeBrackets(),
      autocompletion(),
      rectangularSelection(),
      crosshairCursor(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      keymap.of([
        {
          key: "Mod-Enter",
          run: () => {
            callbacks.current.onRun?.();
            return true;
          },
        },
        ...closeBracketsKeymap,
        ...defaultKeymap,
        ...searchKeymap,
        ...historyKeymap,
        ...foldKeymap,
        ...completionKeymap,
        indentWithTab,
      ]),
      oneDarkTheme,
      syntaxHighlighting(highlightStyle),
      theme,
      language.current.of([]),
      indent.current.of(indentUnit.of(indentFor(props.language))),
      ...(props.wrap ? [EditorView.lineWrapping] : []),
      // A read-only editor stays focusable, so a keyboard can scroll it and select its text.
      EditorState.readOnly.of(!!props.readOnly),
      EditorView.contentAttributes.of({
        "aria-label": props.label, "aria-multiline": "true", tabindex: "0",
        ...(props.readOnly ? { "aria-readonly": "true" } : {}),
      }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) callbacks.current.onChange?.(update.state.doc.toString());
      }),
    ];
    view.current = new EditorView({
      state: EditorState.create({ doc: props.value, extensions }),
      parent: host.current,
    });
    return () => {
      view.current?.destroy();
      view.current = null;
    };
    // The editor is created once; later prop changes go through the effects below.
  }, []);

  useEffect(() => {
    let live = true;
    view.current?.dispatch({ effects: indent.current.reconfigure(indentUnit.of(indentFor(props.language))) });
    void languageSupport(props.language).then((support) => {
      if (live) view.current?.dispatch({ effects: language.current.reconfigure(support ?? []) });
    });
    return () => {
      live = false;
    };
  }, [props.language]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const doc = current.state.doc.toString();
    if (doc !== props.value) {
      current.dispatch({ changes: { from: 0, to: doc.length, insert: props.value } });
    }
    // Only an explicit document switch replaces the text: typing already updated `value` from the editor.
  }, [props.docKey]);

  return <div class="editor" ref={host} style={props.minHeight ? { minHeight: props.minHeight } : undefined} />;
}
