/**
 * The few DOM helpers of the portal's browser enhancements (app/enhance): pages that run without React (hydrate:
 * false) and React pages use the same enhancement code, so a map or a file check is written once.
 *
 * Text is only ever set with textContent (never HTML), so a category name or a file name cannot inject markup.
 */

/** A translation function: the page's strings (i18next on React pages, app/lib/translate.ts elsewhere). */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

type Child = Node | string | null | undefined | false;
type Props = {
  className?: string;
  id?: string;
  hidden?: boolean;
  type?: string;
  role?: string;
  testid?: string;
  text?: string;
  attrs?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (e: Event) => void>>;
};

/** Creates an element with its properties and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.id) node.id = props.id;
  if (props.hidden) node.hidden = true;
  if (props.type) node.setAttribute("type", props.type);
  if (props.role) node.setAttribute("role", props.role);
  if (props.testid) node.setAttribute("data-testid", props.testid);
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const [ev, fn] of Object.entries(props.on ?? {})) if (fn) node.addEventListener(ev, fn);
  if (props.text !== undefined) node.textContent = props.text;
  for (const c of children) if (c) node.append(c);
  return node;
}

/** A button of the portal's look (type="button", so it never submits the form it is in). */
export function button(
  label: string,
  onClick: () => void,
  opts: { secondary?: boolean; testid?: string; attrs?: Record<string, string> } = {},
) {
  return el("button", {
    type: "button",
    className: opts.secondary === false ? "button" : "button secondary",
    testid: opts.testid,
    attrs: opts.attrs,
    text: label,
    on: { click: onClick },
  });
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]) {
  parent.replaceChildren(...children.filter((c): c is Node | string => Boolean(c)));
}
