// The expression editor: CodeMirror 6 with Prometheus' own PromQL mode
// (@prometheus-io/codemirror-promql) for highlighting, linting and completion of functions,
// metric names, label names and values, asked of this server's /api/v1 like Prometheus' UI.
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from "@codemirror/commands";
import { bracketMatching, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { lintKeymap } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { PromQLExtension } from "@prometheus-io/codemirror-promql";

export interface ExprEditor {
  readonly el: HTMLElement;
  value(): string;
  setValue(text: string): void;
  focus(): void;
}

/** The server's base URL without a trailing slash (the client appends "/api/v1/..."), under any route prefix. */
function serverBase(): string {
  return new URL(".", document.baseURI).href.replace(/\/$/, "");
}

// Colours for the tags the PromQL grammar gives its tokens (functions, aggregations, modifiers, …).
const promqlHighlight = HighlightStyle.define([
  { tag: tags.function(tags.variableName), color: "#2757c2" },
  { tag: tags.operatorKeyword, color: "#2757c2", fontWeight: "600" },
  { tag: [tags.modifier, tags.logicOperator], color: "#8a3ab9" },
  { tag: tags.labelName, color: "#b35b00" },
  { tag: tags.string, color: "#1d7f3a" },
  { tag: tags.number, color: "#0f7f8a" },
  { tag: tags.comment, color: "#888", fontStyle: "italic" },
  { tag: tags.invalid, color: "#c00" },
]);

let promql: PromQLExtension | undefined;

/** One PromQL extension for all panels, so they share its cache of metric names and labels. */
function promqlExtension(): PromQLExtension {
  promql ??= new PromQLExtension().setComplete({ remote: { url: serverBase(), httpMethod: "GET", lookbackInterval: 12 * 3600_000 } });
  return promql;
}

export function createEditor(initial: string, onSubmit: () => void): ExprEditor {
  const el = document.createElement("div");
  el.className = "expr";
  const view = new EditorView({
    parent: el,
    state: EditorState.create({
      doc: initial,
      extensions: [
        history(),
        closeBrackets(),
        bracketMatching(),
        // Its Enter accepts a completion; it runs before the keymap below (highest precedence).
        autocompletion(),
        syntaxHighlighting(promqlHighlight),
        placeholder("Expression (Enter runs it, Shift+Enter adds a line)"),
        EditorView.lineWrapping,
        // A completion list left open would cover the controls once the user moved on (Execute, a tab).
        EditorView.domEventHandlers({ blur: (_e, v) => void closeCompletion(v) }),
        EditorView.contentAttributes.of({ "aria-label": "Expression" }),
        keymap.of([
          { key: "Enter", run: () => (onSubmit(), true) },
          { key: "Shift-Enter", run: insertNewlineAndIndent },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          ...lintKeymap,
        ]),
        promqlExtension().asExtension(),
      ],
    }),
  });
  return {
    el,
    value: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}
